#!/usr/bin/env bash
# Issue 14's GPU figures in one run, sized for a 15-minute loan of one GPU: the pythia-14m shape (10 x 256 tokens,
# cutoff 1e-2, radius precision 1e-6) at 1, 8 and 16 directions per call against the baseline, then a pythia-160m
# shape in bf16 at 1 and 8 (radius precision 1e-3, bf16's floor: nb 05). Each benchmark has its own time limit, so
# that a slow one does not take the other with it; the tables go to stdout and, where $OUT is set (the device tool's
# output folder), to $OUT/*.txt as well.
#
# The GPU machine's image has torch and transformers but not fastcore: carry its wheel. Here, once per session:
#   echo /.whl/ >> .git/info/exclude
#   .venv/bin/pip download --no-deps -d .whl "fastcore==$(.venv/bin/python -c 'import fastcore; print(fastcore.__version__)')"
# then run `bash benchmarks/device_hf.sh` there with `.whl` carried.
set -u
cd "$(dirname "$0")/.."
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
out=${OUT:-$(mktemp -d)}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers; print('torch', torch.__version__, '| transformers', transformers.__version__)"
timeout 270 python3 benchmarks/bench_hf.py --pythia14m --n 256 --n-baseline 32 --ks 1,8,16 | tee "$out/pythia14m.txt"
timeout 270 python3 benchmarks/bench_hf.py --pythia160m --dtype bfloat16 --rtol 1e-3 --n 64 --n-baseline 8 --ks 1,8 \
  | tee "$out/pythia160m_bf16.txt"
