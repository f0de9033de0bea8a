//! The tree-walking interpreter: global state, the public API and file loading.

mod assign;
mod builtins;
mod eval;
mod exec;
mod geometry;
mod lists;
mod object_methods;
mod objects;
mod sections;
pub(crate) mod template;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::{Rc, Weak};

use model::{CellDescription, MechanismRegistry};

use crate::ast::FuncDef;
use crate::lexer::Span;
use crate::parser::{parse, Program};
use crate::value::{Array, ObjData, ObjRef, Object, PointSlot, SecId, Value, Var};
use crate::{Diagnostic, Error};
pub(crate) use sections::SecSlot;
use template::TemplateInfo;

/// Statements (and loop iterations) one run may execute before it is stopped as runaway.
const DEFAULT_STEP_LIMIT: u64 = 50_000_000;
/// Bytes of `print` output kept for [`Interpreter::output`].
const MAX_CAPTURED_OUTPUT: usize = 1 << 20;
/// Nested user function calls allowed before "recursion too deep".
const MAX_CALL_DEPTH: usize = 100;
/// Largest HOC file `load_file` reads; real templates are a few hundred kB at most.
const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// Reads a HOC source file, refusing anything but a regular file of at most
/// [`MAX_SOURCE_BYTES`], so that `load_file("/dev/zero")` or a FIFO cannot hang or exhaust
/// memory.
fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(format!("larger than {} MB", MAX_SOURCE_BYTES >> 20));
    }
    Ok(bytes)
}

/// A runtime failure on its way up; the span is filled in by the innermost statement.
#[derive(Debug)]
pub(crate) struct RtError {
    pub message: String,
    pub span: Option<Span>,
}

pub(crate) type RtResult<T> = Result<T, RtError>;

/// How a statement finished.
#[derive(Debug)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// One activation: the object whose members are visible, locals and arguments.
#[derive(Debug)]
pub(crate) struct Frame {
    pub obj: Option<ObjRef>,
    pub locals: HashMap<String, Var>,
    pub args: Vec<Value>,
}

impl Frame {
    pub fn new(obj: Option<ObjRef>, args: Vec<Value>) -> Self {
        Frame {
            obj,
            locals: HashMap::new(),
            args,
        }
    }
}

/// A template argument from the caller (BMTK passes the morphology path as `$s1`).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Num(f64),
    Str(String),
}

/// An object created through [`Interpreter::new_object`].
#[derive(Debug, Clone)]
pub struct ObjectHandle(ObjRef);

impl ObjectHandle {
    /// `Template[index]`, as HOC names the object.
    pub fn name(&self) -> String {
        self.0.display_name()
    }
}

/// A HOC interpreter bound to a mechanism registry.
pub struct Interpreter<'r> {
    pub(crate) registry: &'r dyn MechanismRegistry,
    pub(crate) globals: HashMap<String, Var>,
    pub(crate) global_funcs: HashMap<String, Rc<FuncDef>>,
    pub(crate) templates: HashMap<String, Rc<TemplateInfo>>,
    /// Live objects per template, for `Template[i]` references (as `execute` strings use).
    pub(crate) objects: HashMap<String, Vec<Weak<Object>>>,
    pub(crate) class_counts: HashMap<String, usize>,
    pub(crate) sections: Vec<SecSlot>,
    pub(crate) points: Vec<PointSlot>,
    pub(crate) sec_stack: Vec<SecId>,
    pub(crate) default_access: Option<SecId>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) steps: u64,
    pub(crate) step_limit: u64,
    pub(crate) connect_seq: u64,
    pub(crate) distance_origin: Option<(SecId, f64)>,
    loaded: HashSet<PathBuf>,
    pub(crate) file_stack: Vec<PathBuf>,
    pub(crate) parse_cache: HashMap<String, Rc<Program>>,
    pub(crate) output: String,
    pub(crate) echo: bool,
    /// Stack position at the public entry point (see [`crate::STACK_BUDGET`]).
    pub(crate) stack_base: usize,
}

/// Built-in global variables and their NEURON defaults.
const BUILTIN_GLOBALS: [(&str, f64); 14] = [
    ("celsius", 6.3),
    ("dt", 0.025),
    ("t", 0.0),
    ("tstop", 5.0),
    ("v_init", -65.0),
    ("secondorder", 0.0),
    ("clamp_resist", 1e-3),
    ("float_epsilon", 1e-11),
    ("hoc_ac_", 0.0),
    ("PI", std::f64::consts::PI),
    ("E", std::f64::consts::E),
    ("FARADAY", 96485.33212331001),
    ("R", 8.313424),
    ("DEG", 57.29577951308232),
];

impl<'r> Interpreter<'r> {
    pub fn new(registry: &'r dyn MechanismRegistry) -> Self {
        let mut globals = HashMap::new();
        for (name, v) in BUILTIN_GLOBALS {
            globals.insert(name.to_string(), Var::Num(Array::new(Vec::new(), v)));
        }
        Interpreter {
            registry,
            globals,
            global_funcs: HashMap::new(),
            templates: HashMap::new(),
            objects: HashMap::new(),
            class_counts: HashMap::new(),
            sections: Vec::new(),
            points: Vec::new(),
            sec_stack: Vec::new(),
            default_access: None,
            frames: Vec::new(),
            steps: 0,
            step_limit: DEFAULT_STEP_LIMIT,
            connect_seq: 0,
            distance_origin: None,
            loaded: HashSet::new(),
            file_stack: Vec::new(),
            parse_cache: HashMap::new(),
            output: String::new(),
            echo: false,
            stack_base: 0,
        }
    }

    /// Limits statements executed per top-level call (default 50 million).
    pub fn set_step_limit(&mut self, limit: u64) {
        self.step_limit = limit;
    }

    /// If true, `print`/`printf` output also goes to stdout (it is always captured).
    pub fn set_echo(&mut self, echo: bool) {
        self.echo = echo;
    }

    /// Everything printed so far by `print`, `printf` and friends.
    pub fn output(&self) -> &str {
        &self.output
    }

    /// Loads and runs a HOC file once (as `load_file` does; a second call is a no-op).
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref().to_path_buf();
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if self.loaded.contains(&key) {
            return Ok(());
        }
        let bytes = read_source(&path).map_err(|message| Error::Io {
            path: path.display().to_string(),
            message,
        })?;
        self.loaded.insert(key);
        let src = String::from_utf8_lossy(&bytes);
        self.run_source(&src, &path)
    }

    /// Parses and runs HOC source text at top level; `name` is used in diagnostics and to
    /// resolve relative `load_file` paths.
    pub fn run_source(&mut self, src: &str, name: impl AsRef<Path>) -> Result<(), Error> {
        let name = name.as_ref();
        let (program, diags) = parse(src, &name.display().to_string());
        if !diags.is_empty() {
            return Err(Error::Syntax(diags));
        }
        self.steps = 0;
        self.stack_base = crate::stack_position();
        self.file_stack.push(name.to_path_buf());
        self.frames.push(Frame::new(None, Vec::new()));
        let result = self.run_program(&program);
        self.frames.pop();
        self.file_stack.pop();
        self.sec_stack.clear();
        result.map_err(|e| self.to_error(e))
    }

    pub(crate) fn run_program(&mut self, program: &Program) -> RtResult<()> {
        for stmt in &program.stmts {
            match self.exec(stmt)? {
                Flow::Normal => {}
                Flow::Return(_) => break,
                Flow::Break | Flow::Continue => {
                    return Err(self.err(&stmt.span, "`break` or `continue` outside a loop".into()))
                }
            }
        }
        Ok(())
    }

    pub(crate) fn to_error(&self, e: RtError) -> Error {
        let span = e.span.unwrap_or(Span {
            file: "<hoc>".into(),
            line: 0,
            col: 0,
        });
        Error::Runtime(Diagnostic::new(&span, &e.message))
    }

    pub(crate) fn err(&self, span: &Span, message: String) -> RtError {
        RtError {
            message,
            span: Some(span.clone()),
        }
    }

    /// Creates an object of `template`, running `init` with `args`.
    pub fn new_object(&mut self, template: &str, args: &[Arg]) -> Result<ObjectHandle, Error> {
        let info = self
            .templates
            .get(template)
            .cloned()
            .ok_or_else(|| Error::UnknownTemplate(template.to_string()))?;
        let values = args
            .iter()
            .map(|a| match a {
                Arg::Num(v) => Value::Num(*v),
                Arg::Str(s) => Value::Str(s.clone()),
            })
            .collect();
        let span = Span {
            file: format!("<new {template}>").into(),
            line: 0,
            col: 0,
        };
        self.steps = 0;
        self.stack_base = crate::stack_position();
        self.frames.push(Frame::new(None, Vec::new()));
        let result = self.new_template_object(&info, values, &span);
        self.frames.pop();
        self.sec_stack.clear();
        result.map(ObjectHandle).map_err(|e| self.to_error(e))
    }

    /// The numeric member `name` of an object (element 0 of an array), if it has one.
    pub fn member_number(&self, object: &ObjectHandle, name: &str) -> Option<f64> {
        match &*object.0.data.borrow() {
            ObjData::Template(inst) => match inst.vars.get(name)? {
                Var::Num(a) => a.data.first().copied(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The object's `public` numeric scalars (arrays, strings, objects and sections left out)
    /// with their current values, in the template's declaration order — what
    /// `obj.NAME` would read from HOC.
    pub fn public_scalars(&self, object: &ObjectHandle) -> Vec<(String, f64)> {
        let data = object.0.data.borrow();
        let ObjData::Template(inst) = &*data else {
            return Vec::new();
        };
        inst.template
            .layout
            .iter()
            .filter(|(name, shape)| {
                inst.template.public.contains(name)
                    && matches!(shape, template::MemberShape::Num(dims) if dims.is_empty())
            })
            .filter_map(|(name, _)| match inst.vars.get(name)? {
                Var::Num(a) if a.dims.is_empty() => Some((name.clone(), a.data[0])),
                _ => None,
            })
            .collect()
    }

    /// The cell description of an object's sections and point processes.
    pub fn cell(&mut self, object: &ObjectHandle) -> CellDescription {
        self.extract_cell(&object.0)
    }

    /// Deletes an object's sections (the returned descriptions stay valid).
    pub fn release(&mut self, object: ObjectHandle) {
        self.delete_sections_of(&object.0);
    }

    /// Creates an object of `template` and returns its cell description.
    pub fn instantiate(&mut self, template: &str, args: &[Arg]) -> Result<CellDescription, Error> {
        let obj = self.new_object(template, args)?;
        let cell = self.cell(&obj);
        self.release(obj);
        Ok(cell)
    }

    /// Forgets template `name`, so that its parsed code is freed once no object of it is
    /// alive; a later `new name()` fails as for a template never defined, and loading its
    /// file again defines it anew. For drivers that know a template's last use: a network
    /// with one generated template per cell would otherwise keep every parsed template (some
    /// 0.85 MB per 330-section cell) to the end. Returns whether `name` was defined.
    pub fn forget_template(&mut self, name: &str) -> bool {
        self.templates.remove(name).is_some()
    }

    /// Names of the templates defined so far, sorted.
    pub fn template_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.templates.keys().cloned().collect();
        names.sort();
        names
    }

    /// The value of a top-level numeric variable (`celsius`, or anything HOC assigned).
    pub fn global(&self, name: &str) -> Option<f64> {
        match self.globals.get(name)? {
            Var::Num(a) => a.data.first().copied(),
            _ => None,
        }
    }

    /// All top-level numeric scalars, sorted by name.
    pub fn globals(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .globals
            .iter()
            .filter_map(|(k, v)| match v {
                Var::Num(a) if a.dims.is_empty() => Some((k.clone(), a.data[0])),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Resolves a `load_file` argument against the including file's directory, then the
    /// working directory.
    pub(crate) fn resolve_path(&self, name: &str) -> Option<PathBuf> {
        let p = Path::new(name);
        if p.is_absolute() {
            return p.exists().then(|| p.to_path_buf());
        }
        if let Some(dir) = self.file_stack.last().and_then(|f| f.parent()) {
            let candidate = dir.join(p);
            if candidate.exists() {
                return Some(candidate);
            }
        }
        p.exists().then(|| p.to_path_buf())
    }

    /// Runs a file from `load_file`/`xopen` at top level.
    pub(crate) fn load_nested(&mut self, name: &str, once: bool, span: &Span) -> RtResult<()> {
        let Some(path) = self.resolve_path(name) else {
            return Err(self.err(span, format!("load_file: cannot find `{name}`")));
        };
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if once && self.loaded.contains(&key) {
            return Ok(());
        }
        if self.file_stack.len() > 50 {
            return Err(self.err(
                span,
                "load_file: files include each other too deeply".into(),
            ));
        }
        let bytes = read_source(&path)
            .map_err(|e| self.err(span, format!("load_file: cannot read `{name}`: {e}")))?;
        self.loaded.insert(key);
        let src = String::from_utf8_lossy(&bytes);
        let (program, diags) = parse(&src, &path.display().to_string());
        if !diags.is_empty() {
            let text = diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n");
            return Err(self.err(span, format!("syntax errors in `{name}`:\n{text}")));
        }
        self.file_stack.push(path);
        self.frames.push(Frame::new(None, Vec::new()));
        let result = self.run_program(&program);
        self.frames.pop();
        self.file_stack.pop();
        result
    }

    /// Counts one step; fails once the step limit is reached.
    pub(crate) fn tick(&mut self, span: &Span) -> RtResult<()> {
        self.steps += 1;
        if self.steps > self.step_limit {
            return Err(self.err(
                span,
                format!("step limit of {} exceeded (runaway loop?)", self.step_limit),
            ));
        }
        Ok(())
    }

    pub(crate) fn call_depth_ok(&self, span: &Span) -> RtResult<()> {
        if self.frames.len() > MAX_CALL_DEPTH || !self.stack_ok() {
            return Err(self.err(span, "recursion or nesting too deep".into()));
        }
        Ok(())
    }

    /// False once execution has used its share of the native stack.
    pub(crate) fn stack_ok(&self) -> bool {
        self.stack_base.saturating_sub(crate::stack_position()) < crate::STACK_BUDGET
    }

    pub(crate) fn current_object(&self) -> Option<ObjRef> {
        self.frames.last().and_then(|f| f.obj.clone())
    }

    pub(crate) fn print(&mut self, text: &str) {
        if self.echo {
            print!("{text}");
        }
        // Keep the captured output bounded; chatty templates run once per cell.
        if self.output.len() < MAX_CAPTURED_OUTPUT {
            self.output.push_str(text);
        }
    }

    pub(crate) fn is_builtin_global(&self, name: &str) -> bool {
        BUILTIN_GLOBALS.iter().any(|(n, _)| *n == name)
    }
}
