COMMENT
High-voltage-activated calcium current in permeability form: the driving force
is the Goldman-Hodgkin-Katz flux computed from cai and cao, with FARADAY and R
taken from the units database.
ENDCOMMENT

NEURON {
    SUFFIX cahva
    USEION ca READ cai, cao WRITE ica
    RANGE pbar, ica
    GLOBAL minf, mtau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    pbar = 1e-5 (cm/s)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ica (mA/cm2)
    cai (mM)
    cao (mM)
    minf (1)
    mtau (ms)
}

STATE { m }

BREAKPOINT {
    SOLVE gates METHOD cnexp
    ica = pbar * m * m * ghk(v, cai, cao)
}

INITIAL {
    rates(v)
    m = minf
}

DERIVATIVE gates {
    rates(v)
    m' = (minf - m) / mtau
}

PROCEDURE rates(v (mV)) {
    UNITSOFF
    minf = 1 / (1 + exp(-(v + 20) / 7))
    mtau = 1.5 + 3 * exp(-((v + 30) / 20)^2)
    UNITSON
}

FUNCTION ghk(v (mV), ci (mM), co (mM)) (.001 coul/cm3) {
    LOCAL z, eci, eco
    z = (1e-3) * 2 * FARADAY * v / (R * (celsius + 273.15))
    eco = co * efun(z)
    eci = ci * efun(-z)
    ghk = (.001) * 2 * FARADAY * (eci - eco)
}

FUNCTION efun(z) {
    if (fabs(z) < 1e-4) {
        efun = 1 - z / 2
    } else {
        efun = z / (exp(z) - 1)
    }
}
