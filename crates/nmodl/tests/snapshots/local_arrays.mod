COMMENT
LOCAL arrays (in a PROCEDURE, constant and computed indices; at top level) and states whose
initial value is a user PARAMETER: `x0` RANGE next to STATE x, `y0` global next to STATE y,
and an array state `z[2]` sharing the implicit `z0`.
ENDCOMMENT
NEURON {
    SUFFIX larr
    RANGE x0, total
}
PARAMETER {
    x0 = 0.25
    y0 = 0.5
}
ASSIGNED { total }
STATE { x y z[2] }
LOCAL hist[3]
INITIAL {
    fill(2)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
}
DERIVATIVE states {
    x' = -x
    y' = -y
}
PROCEDURE fill(n) {
    LOCAL w[4], i
    w[0] = 1
    FROM i = 1 TO 3 {
        w[i] = w[i - 1] * n
    }
    hist[2] = w[3]
    total = w[n] + hist[2]
}
