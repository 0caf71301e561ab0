# Shared by the scripts: tools on PATH, build output cached outside the clone.
export PATH="$HOME/.cargo/bin:${TOOLS_DIR:-$HOME/.cache/mfa-signin/tools}/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mfa-signin/target}"
