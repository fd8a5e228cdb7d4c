# Sourced by scripts/bot and scripts/test: make sure .venv exists and has this project installed.
# Reinstalls only when pyproject.toml changed since the last install.
PYTHON_BIN=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON_BIN" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e '.[test]' >&2
    rm -f .venv/.installed-*
    touch "$stamp"
fi
