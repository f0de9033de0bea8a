//! Runtime values of the interpreter: numbers, strings, object references and sections, and
//! the variables (possibly arrays) that hold them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::interp::template::TemplateInfo;

/// Index of a section in the interpreter's section arena.
pub type SecId = usize;

/// A shared, mutable HOC object.
pub type ObjRef = Rc<Object>;

#[derive(Debug, Clone)]
pub enum Value {
    Num(f64),
    Str(String),
    /// An object reference; `None` is NULLobject.
    Obj(Option<ObjRef>),
    Sec(SecId),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Obj(_) => "an object",
            Value::Sec(_) => "a section",
        }
    }
}

/// An object: a template instance or a built-in class instance.
#[derive(Debug)]
pub struct Object {
    /// `Name[index]`, as HOC prints it.
    pub class: String,
    pub index: usize,
    pub data: RefCell<ObjData>,
}

impl Object {
    pub fn display_name(&self) -> String {
        format!("{}[{}]", self.class, self.index)
    }
}

/// A Random generator (xorshift; values do not reproduce NEURON's generators).
#[derive(Debug, Clone)]
pub struct RandomState {
    pub state: u64,
    pub dist: RandomDist,
}

#[derive(Debug, Clone, Copy)]
pub enum RandomDist {
    Uniform(f64, f64),
    Normal(f64, f64),
}

#[derive(Debug)]
pub enum ObjData {
    Template(Instance),
    Vector(Vec<f64>),
    List(Vec<ObjRef>),
    SectionList(Vec<SecId>),
    SectionRef(SecId),
    Str(String),
    StringFunctions,
    Random(RandomState),
    /// A point process (IClamp, ExpSyn …): index into the interpreter's point table.
    Point(usize),
    /// GUI and simulation-control classes whose methods are accepted and ignored.
    Inert,
}

/// Data of a template instance.
#[derive(Debug)]
pub struct Instance {
    pub template: Rc<TemplateInfo>,
    pub vars: HashMap<String, Var>,
}

/// A dense, possibly multi-dimensional HOC array (scalars have no dimensions).
#[derive(Debug, Clone)]
pub struct Array<T> {
    pub dims: Vec<usize>,
    pub data: Vec<T>,
}

impl<T: Clone> Array<T> {
    pub fn new(dims: Vec<usize>, fill: T) -> Self {
        let n = dims.iter().product::<usize>();
        Array {
            dims,
            data: vec![fill; n],
        }
    }

    /// Flat offset of `index`, or a message naming the bad subscript.
    pub fn offset(&self, name: &str, index: &[usize]) -> Result<usize, String> {
        if index.is_empty() {
            // An array used without subscript means its first element.
            return if self.data.is_empty() {
                Err(format!("{name} has no elements"))
            } else {
                Ok(0)
            };
        }
        if index.len() != self.dims.len() {
            return Err(format!(
                "{name} has {} dimension(s), used with {}",
                self.dims.len(),
                index.len()
            ));
        }
        let mut off = 0;
        for (k, (&i, &d)) in index.iter().zip(&self.dims).enumerate() {
            if i >= d {
                return Err(format!(
                    "subscript {k} index {i} of {name} out of range {d}"
                ));
            }
            off = off * d + i;
        }
        Ok(off)
    }
}

/// A variable slot.
#[derive(Debug, Clone)]
pub enum Var {
    Num(Array<f64>),
    Str(String),
    Obj(Array<Option<ObjRef>>),
    Sec(Array<SecId>),
}

/// A point process placed by HOC (`new IClamp(0.5)`).
#[derive(Debug, Clone)]
pub struct PointSlot {
    pub mechanism: String,
    pub section: SecId,
    pub x: f64,
    pub values: BTreeMap<String, f64>,
    pub defaults: BTreeMap<String, f64>,
    pub owner: std::rc::Weak<Object>,
}
