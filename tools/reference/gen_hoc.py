"""Instantiate HOC cell templates in NEURON and dump what NEURON reports about them.

Output: tests/reference-data/hoc-cells/<Template>.json with, for every section, its name,
nseg, L, Ra, parent and connection point, orientation, and per segment: x, diam, cm, area,
ri, every range variable of every inserted mechanism and ion; plus the 3-D points. Each
template is dumped as instantiated ("sections") and again after a global define_shape()
("after_define_shape"), which stores 3-D points as float32 and so changes diam and area.

Usage: python gen_hoc.py [template ...]   (no argument: all, each in its own process)
"""

import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402
from refcommon import h  # noqa: E402

GEN = os.path.abspath(__file__)
OUT = os.path.join(rc.DATA, "hoc-cells")
HCO_MODS = sorted(glob.glob(os.path.join(rc.SHARED, "models", "hco", "mechanisms", "modfiles", "*.mod")))

# template name -> (hoc file, loads stdrun.hoc first, needs HCO mechanisms,
#                   public SectionLists, public scalars (name, index or None))
TEMPLATES = {
    "BallStick": (os.path.join(rc.HOC_DIR, "BallStick.hoc"), True, False,
                  ["all", "somatic", "basal"], [("nseg_before", 0), ("nseg_before", 1)]),
    "ChanDist": (os.path.join(rc.HOC_DIR, "ChanDist.hoc"), True, False,
                 ["all", "somatic", "axonal", "basal"], [("ninserted", None)]),
    "DistGrad": (os.path.join(rc.HOC_DIR, "DistGrad.hoc"), True, False, ["all"], []),
    "MultiCompCell": (os.path.join(rc.SHARED, "models", "mc", "hoc_templates", "MultiCompCell.hoc"),
                      True, False, ["all", "somatic", "basal", "apical", "axonal"], []),
    "HCOcell": (os.path.join(rc.SHARED, "models", "hco", "hoc_templates", "HCOCell.hoc"),
                True, True, ["all", "somatic", "basal", "apical", "axonal"], [("NumSoma", None)]),
}


def shared_rel(path):
    path = os.path.abspath(path)
    shared = os.path.abspath(rc.SHARED)
    if path.startswith(shared):
        return "shared/" + os.path.relpath(path, shared)
    return os.path.relpath(path, rc.REPO)


def dump(name):
    rc.check_version()
    hoc, stdlib, hco, lists, scalars = TEMPLATES[name]
    meta = {"template": name, "file": shared_rel(hoc), "generator": os.path.relpath(GEN, rc.REPO)}
    import neuron

    meta["neuron_version"] = neuron.__version__
    if hco:
        notices = rc.load_compiled_mods(HCO_MODS, "hco")
        meta["mod_files"] = [shared_rel(m) for m in HCO_MODS]
        meta["nrnivmodl_notices"] = notices
    if stdlib:
        # As under BMTK: stdrun.hoc loads stdlib.hoc, which defines lambda_f and the String template.
        h.load_file("stdrun.hoc")
        meta["loaded_first"] = ["stdrun.hoc (NEURON's; brings stdlib.hoc: lambda_f, String)"]
    if not h.load_file(hoc):
        sys.exit(f"load_file failed: {hoc}")
    cell = getattr(h, name)()
    meta["instance"] = cell.hname()
    meta["n_sections"] = sum(1 for _ in h.allsec())
    meta["sections"] = rc.describe_all_sections(with_pt3d=True)
    meta["section_lists"] = {ln: [s.name() for s in getattr(cell, ln)] for ln in lists}
    vals = {}
    for sname, idx in scalars:
        v = getattr(cell, sname)
        vals[sname if idx is None else f"{sname}[{idx}]"] = v if idx is None else v[idx]
    meta["public_scalars"] = vals
    h.define_shape()
    meta["after_define_shape"] = rc.describe_all_sections(with_pt3d=True)
    if hco:
        # What finitialize does to the template's ion assignments (cao = 3, cai = 50e-6).
        h.celsius = 34
        h.finitialize(-50)
        soma = cell.soma[0]
        meta["after_finitialize"] = {
            "celsius": 34, "v_init": -50,
            "ions": {k: {var: list(vv) for var, vv in v.items()}
                     for k, v in soma.psection()["ions"].items()},
            "ion_style_ca": h.ion_style("ca_ion", sec=soma),
        }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"{name}: {meta['n_sections']} sections -> {os.path.relpath(path, rc.REPO)}")


if __name__ == "__main__":
    names = sys.argv[1:]
    if not names:
        build, lib, notices = rc.compile_mods(HCO_MODS, "hco")
        env = dict(os.environ, BMTKRS_MECHLIB=lib, BMTKRS_NMODL_NOTICES=json.dumps(notices))
        try:
            for n in TEMPLATES:
                subprocess.run([sys.executable, GEN, n], check=True, env=env if TEMPLATES[n][2] else None)
        finally:
            import shutil

            shutil.rmtree(build, ignore_errors=True)
    else:
        for n in names:
            dump(n)
