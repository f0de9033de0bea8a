NEURON { ARTIFICIAL_CELL VecLike }
ASSIGNED { space }
INITIAL {
VERBATIM
    void* vv = (void*)0;
    if (ifarg(1)) { vv = vector_arg(1); }
ENDVERBATIM
}
