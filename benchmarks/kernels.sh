#!/usr/bin/env bash
# Kernel throughput of mind's numeric core beside references measured in the same run:
# OpenBLAS's own sgemm (timed inside `mind bench kernels`) and numpy on its bundled OpenBLAS.
# Each is run with OpenBLAS's default core choice and with OPENBLAS_CORETYPE=Haswell.
#
#   benchmarks/kernels.sh > benchmarks/results/kernels.jsonl
source "$(dirname "$0")/common.sh"
use_torch_venv
for core in default Haswell; do
    for threads in 1 2; do
        if [ "$core" = default ]; then
            $MIND bench kernels --threads "$threads" | sed "s/^{/{\"coretype\":\"$core\",/"
        else
            OPENBLAS_CORETYPE=$core $MIND bench kernels --threads "$threads" | sed "s/^{/{\"coretype\":\"$core\",/"
        fi
    done
done
echo "{\"kind\":\"numpy-reference\",\"result\":$($PY benchmarks/reference/numpy_gemm.py --threads 1,2 | tr -d '\n')}"
