# Shared by the scripts: the tools setup.sh installs, on PATH.
export PATH="$HOME/.cargo/bin:${TOOLS_DIR:-$HOME/.cache/mfa-signin/tools}/node_modules/.bin:$PATH"
