TITLE UNITS constants, INDEPENDENT, top-level LOCAL, WHILE, FROM-BY, SOLVE PROCEDURE, PROTECT
UNITS {
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
    PI = (pi) (1)
    F2 = 96485.309 (coul)
}
INDEPENDENT { t FROM 0 TO 1 WITH 1 (ms) }
NEURON {
    SUFFIX misc
    USEION ca READ cai, cao, ica WRITE eca
    ELECTRODE_CURRENT iel
    EXTERNAL ext_value
    REPRESENTS NCIT:C17145
    RANGE total, eca
}
LOCAL scratch, buf[4]
PARAMETER {
    diam (um)
    w[3] (um)
    k = -1e-3 (/ms)
}
ASSIGNED {
    cai (mM) cao (mM) eca (mV) ica (mA/cm2)
    total iel (nA)
    celsius (degC)
}
BREAKPOINT {
    SOLVE update
}
PROCEDURE update() {
    LOCAL i, n, acc
    acc = 0
    n = 0
    while (n < 3) {
        n = n + 1
    }
    FROM i = 0 TO 2 BY 1 {
        acc = acc + w[i]*dt
        buf[i] = acc
    }
    scratch = -x2(acc)^2 + 2^-1
    PROTECT total = total + acc*diam*PI/4
    MUTEXLOCK
    eca = (1e3)*R*(celsius + 273.15)/(2*FARADAY)*log(cao/cai) + 0*F2
    MUTEXUNLOCK
    iel = 0 + ext_value*k + area*0
    if (!(acc >= 0) || (acc != acc && acc <= 0)) { total = 0 }
}
FUNCTION x2(a (um)) (um2) {
    x2 = a*a
}
VERBATIM
#include <math.h>
/* only declarations here */
extern double hoc_Exp(double);
ENDVERBATIM
CONSTRUCTOR { }
DESTRUCTOR { }
BEFORE BREAKPOINT { total = total }
AFTER SOLVE { total = total }
FUNCTION_TABLE tabf(x (mV)) (ms)
