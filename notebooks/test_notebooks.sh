#!/usr/bin/env bash
# Executes the notebooks headless with nbconvert, on Debian's /usr/bin/python3 (kernel included),
# against the given shardsim binary, and checks each writes its images (PNG and SVG, non-empty).
# Usage: test_notebooks.sh SHARDSIM_BINARY [NOTEBOOK...]   (default: every notebook here)
# Python: $SHARDSIM_PYTHON, default /usr/bin/python3.
set -uo pipefail
shardsim=${1:?usage: test_notebooks.sh SHARDSIM_BINARY [NOTEBOOK...]}; shift
here=$(cd "$(dirname "$0")" && pwd)
py=${SHARDSIM_PYTHON:-/usr/bin/python3}

fail() { echo "FAIL: $*"; exit 1; }
[ -x "$py" ] || fail "$py not found: install Debian's python3 (bash .ci/install-deps)"
missing=$("$py" - <<'PY' 2>&1
import importlib.util
need = {"nbconvert": "python3-nbconvert", "nbclient": "python3-nbconvert", "ipykernel": "python3-ipykernel",
        "matplotlib": "python3-matplotlib", "pandas": "python3-pandas"}
gone = sorted({pkg for mod, pkg in need.items() if importlib.util.find_spec(mod) is None})
print(" ".join(gone))
PY
) || fail "$py does not run: $missing"
[ -z "$missing" ] ||
  fail "jupyter nbconvert / ipykernel missing for $py: run 'bash .ci/install-deps' (Debian packages: $missing jupyter-nbconvert)"
case "$shardsim" in /*) ;; *) shardsim="$PWD/$shardsim";; esac
[ -x "$shardsim" ] || fail "$shardsim: no shardsim binary"

# Images each notebook must write.
declare -A images=(
  [scaling]="scaling_efficiency throughput_per_gpu"
  [planning]="step_time_heatmap step_time_heatmap_gpt2_small"
  [memory]="memory_breakdown"
)
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(scaling planning memory)

dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
# A private kernelspec "python3" that runs $py, found before any user or system one, and private
# Jupyter/IPython config and runtime dirs: the run depends on nothing in $HOME.
mkdir -p "$dir/jupyter/kernels/python3"
cat >"$dir/jupyter/kernels/python3/kernel.json" <<EOF
{"argv": ["$py", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (shardsim tests)", "language": "python"}
EOF
export JUPYTER_PATH="$dir/jupyter" JUPYTER_CONFIG_DIR="$dir/jupyter-config" JUPYTER_RUNTIME_DIR="$dir/runtime"
export IPYTHONDIR="$dir/ipython" MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 PYTHONDONTWRITEBYTECODE=1
export SHARDSIM_BIN="$shardsim"

for name in "${notebooks[@]}"; do
  name=${name%.ipynb}; name=${name##*/}
  nb="$here/$name.ipynb"
  [ -f "$nb" ] || fail "$nb: no such notebook"
  [ -n "${images[$name]:-}" ] || fail "$name: no list of expected images in $0"
  out="$dir/out-$name"
  start=$(date +%s%N)
  SHARDSIM_PLOT_DIR="$out" "$py" -m nbconvert --to notebook --execute \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=120 \
    --output-dir "$dir/executed" "$nb" >"$dir/nbconvert.log" 2>&1 ||
    { cat "$dir/nbconvert.log"; fail "$name.ipynb did not run to the end (log above)"; }
  executed="$dir/executed/$name.ipynb"
  [ -f "$executed" ] || executed=$(ls "$dir"/executed/"$name"*.ipynb 2>/dev/null | head -1)
  [ -f "$executed" ] || fail "$name: nbconvert wrote no executed notebook"
  # The kernel that ran is the Python given, not whatever python3 comes first on PATH.
  grep -q "python: $py\\\\n" "$executed" || fail "$name: the kernel did not run $py (no 'python: $py' in the output)"
  for stem in ${images[$name]}; do
    for ext in png svg; do
      [ -s "$out/$stem.$ext" ] || fail "$name.ipynb did not write $stem.$ext"
    done
  done
  [ -z "$(find "$out" -name '.*.tmp*')" ] || fail "$name: temporary files left in $out"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  printf '%s.ipynb: ran in %d.%03d s, wrote %s (png, svg)\n' "$name" $((ms / 1000)) $((ms % 1000)) "${images[$name]}"
done
