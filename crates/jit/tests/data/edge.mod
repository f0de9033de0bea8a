COMMENT
Every IR construct the JIT compiles, for the bit-for-bit test: LINEAR (LinearSolve), FROM
loops (While), field arrays with computed indices, comparisons and logic, hoc_Exp past its
clamps, pow and libm functions, a TABLE FUNCTION (lookup or direct), and a GLOBAL written by
some instances and read by all (chunk-snapshot semantics).
ENDCOMMENT
NEURON {
    SUFFIX edge
    USEION na READ ena WRITE ina
    RANGE a, b, c, y, w, k, n
    GLOBAL gw, gr
}
PARAMETER {
    a = 1
    b = 2
    gr = 3
    gnabar = 0.01
}
ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    c
    y
    w
    k
    n
    gw
    arr[3]
}
STATE { x z }
INITIAL {
    SOLVE lin
    y = exp(a * 900) + exp(-a * 900) + exp(a) + a^b + fabs(-a) + sqrt(b)
    w = (a < b) + (a <= b) * 2 + (a > b) * 4 + (a >= b) * 8 + (a == b) * 16 + (a != b) * 32
    w = w + ((a > 1) && (b > 1)) * 64 + ((a > 1) || (b > 1)) * 128 + (!(a > 1)) * 256
    k = 0
    n = 0
    FROM j = 1 TO b * 3 {
        k = k + 1
        n = n + log(k) + sin(k) + atan2(k, a) + fmod(k, 3) + floor(a * k) + ceil(b / k)
    }
    FROM i = 0 TO 2 {
        arr[i] = a * i + b
    }
    c = arr[0] + arr[1] * arr[2] + arr[b]
    if (a > 1.0) {
        gw = a
    }
    y = y + gw + gr
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar * (v - ena) * x
}
DERIVATIVE states {
    x' = (1 - x) / (1 + a) + rate(v) * 0
    z' = -z / b
}
FUNCTION rate(vv) {
    TABLE DEPEND a FROM -100 TO 100 WITH 50
    rate = exp(vv / 10)
}
LINEAR lin {
    ~ x + 2 * z = a
    ~ 3 * x - z = b
}
