#!/usr/bin/env bash
# The README's install and test command on several Pythons, each in a fresh clone of this checkout's
# committed HEAD, as a new user would run it. Too heavy for every CI run (per version: a download of
# up to a few GB, and the whole test suite, 3-4 min on 2 cores); maintainers run it by hand.
#
# Usage: tools/python_matrix.sh [-w WORKDIR] [-r] [VERSION ...]
#   VERSION  3.11, 3.12, ... (default: 3.11 3.12 3.13), found under $PYENV_ROOT/versions or as
#            pythonX.Y on PATH; or a path to an interpreter
#   -w DIR   work folder for the clones and logs (default: a new mktemp -d folder)
#   -r       remove each venv and pip cache once measured (they take GBs); the logs stay
#
# Per version, in WORKDIR/VERSION/: repo/ (the clone and its .venv), install.log, pytest.log.
# Each version gets an empty pip cache (WORKDIR/VERSION/pip-cache) and book data cache
# (W2V_TEACH_CACHE), as a new user has. "download" is the size of the wheels pip fetched, over the
# network or from local files (a mirror, --find-links: shown apart). A table ends the run; it is
# also written to WORKDIR/results.tsv. Exit status 0 whatever it finds.
set -uo pipefail

work="" remove=0
while getopts "w:rh" opt; do
  case $opt in
    w) work=$OPTARG ;;
    r) remove=1 ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($#)) || set -- 3.11 3.12 3.13
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2
work=${work:-$(mktemp -d)}
mkdir -p "$work"
results="$work/results.tsv"
printf 'python\tinstall\tdownload\tvenv\ttorch\tnvidia-*\ttests\tpytest summary\n' >"$results"

find_python() {  # a version like 3.12 -> its interpreter (the newest pyenv patch release first)
  [[ -x $1 && ! -d $1 ]] && { echo "$1"; return; }
  local p
  p=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$1".*/bin/python"$1" 2>/dev/null | sort -V | tail -n 1)
  [[ -n $p ]] && echo "$p" || command -v "python$1"
}

clock() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

download() {  # MB of the wheels pip fetched: over the network ("Downloading x.whl (12.3 MB)")
              # and from local files, an index mirror or --find-links ("Processing /path/x.whl")
  { sed -nE 's/^ *Downloading .*\(([0-9.]+) (kB|MB|GB)\)$/\1 \2/p' "$1"
    sed -nE 's/^ *Processing (\/[^ ]+\.whl).*/\1/p' "$1" | xargs -r stat -c '%s local'
  } | awk '{ b = $1 * ($2 == "kB" ? 1e3 : $2 == "MB" ? 1e6 : $2 == "GB" ? 1e9 : 1); all += b }
           $2 == "local" { local += b }
           END { printf "%.0f MB", all / 1e6; if (local) printf " (%.0f MB local)", local / 1e6 }'
}

for version in "$@"; do
  dir="$work/$(basename "$version")"
  py=$(find_python "$version")
  if [[ -z $py ]]; then
    echo "== $version: no interpreter found"
    printf '%s\tno interpreter\t\t\t\t\t\t\n' "$version" >>"$results"
    continue
  fi
  name="$("$py" -c 'import platform; print(platform.python_version())')"
  echo "== Python $name ($py), in $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  git clone -q "$repo" "$dir/repo"
  export PIP_CACHE_DIR="$dir/pip-cache" W2V_TEACH_CACHE="$dir/w2v-cache"

  # The README's test command with python3 replaced by this interpreter, timed in two halves.
  start=$SECONDS
  (cd "$dir/repo" && "$py" -m venv .venv && .venv/bin/pip install -r requirements.txt) \
    >"$dir/install.log" 2>&1
  rc=$?
  install_time=$(clock $((SECONDS - start)))
  if ((rc == 0)); then
    install="ok, $install_time"
    venv=$(du -sh "$dir/repo/.venv" | cut -f1)
    torch=$("$dir/repo/.venv/bin/python" -c 'import torch; v = torch.version.cuda
print(torch.__version__ + (f" (CUDA {v})" if v else ""))' 2>&1 | tail -n 1)
    nvidia=$("$dir/repo/.venv/bin/pip" list --format=freeze 2>/dev/null | grep -c '^nvidia-')
    start=$SECONDS
    (cd "$dir/repo" && .venv/bin/python -m pytest) >"$dir/pytest.log" 2>&1
    tests=$(clock $((SECONDS - start)))
    summary=$(grep -E '^=+ .* in [0-9.]+s.* =+$' "$dir/pytest.log" | tail -n 1 | sed -E 's/^=+ | =+$//g')
    summary=${summary:-"no summary (see pytest.log)"}
  else
    install="FAILED (exit $rc), $install_time" venv="" torch="" nvidia="" tests="not run"
    summary=$(grep -m 1 -E '^(ERROR|error):' "$dir/install.log")
    echo "   install failed; the end of $dir/install.log:"
    tail -n 15 "$dir/install.log" | sed 's/^/   | /'
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$install" "$(download "$dir/install.log")" \
    "$venv" "$torch" "$nvidia" "$tests" "$summary" | tee -a "$results"
  ((remove)) && rm -rf "$dir/repo/.venv" "$PIP_CACHE_DIR"
done

echo
echo "Repository: $repo at $(git -C "$repo" rev-parse --short HEAD); logs in $work"
column -t -s $'\t' "$results"
