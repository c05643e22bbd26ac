#!/bin/sh
# Installs (or, with --uninstall, removes) what `make install` puts in place:
#   PREFIX/bin/tl-*                                 one per src/bin/*.rs
#   PREFIX/share/man/man1/*.1                       man/
#   PREFIX/share/bash-completion/completions/tl-x   completions/tl-x.bash
#   PREFIX/share/zsh/site-functions/_tl-x           completions/_tl-x
#   PREFIX/share/fish/vendor_completions.d/tl-x.fish
#   PREFIX/share/doc/threatlist/examples/DIR/       every examples/DIR/
#                                                   (not the cargo examples)
#   PREFIX/share/doc/threatlist/docs/*.md           docs/ (the manuals)
# under DESTDIR. Usage:
#   scripts/install.sh [--uninstall] [DESTDIR [PREFIX]]
# DESTDIR defaults to empty, PREFIX to /usr/local. The binaries come from
# $TL_BIN_DIR, else from scripts/release-dir (build them first:
# cargo build --release --locked, which `make install` does).
set -eu

mode=install
if [ "${1:-}" = --uninstall ]; then
	mode=uninstall
	shift
fi
destdir=${1:-}
prefix=${2:-/usr/local}
cd "$(dirname "$0")/.."
root=$destdir$prefix
bin_dir=${TL_BIN_DIR:-$(scripts/release-dir)}
tab=$(printf '\t')

# Every installed file as SOURCE, DESTINATION (under $root) and MODE, one
# line each, tab-separated (paths may hold spaces).
row() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3"
}

manifest() {
	for src in src/bin/*.rs; do
		name=$(basename "$src" .rs)
		row "$bin_dir/$name" "bin/$name" 755
	done
	for f in man/*.1; do
		row "$f" "share/man/man1/$(basename "$f")" 644
	done
	for f in completions/*.bash; do
		row "$f" "share/bash-completion/completions/$(basename "$f" .bash)" 644
	done
	for f in completions/_*; do
		row "$f" "share/zsh/site-functions/$(basename "$f")" 644
	done
	for f in completions/*.fish; do
		row "$f" "share/fish/vendor_completions.d/$(basename "$f")" 644
	done
	for f in docs/*.md; do
		row "$f" "share/doc/threatlist/$f" 644
	done
	row "examples/README.md" "share/doc/threatlist/examples/README.md" 644
	for f in examples/*/*; do
		[ -f "$f" ] || continue
		perm=644
		[ -x "$f" ] && perm=755
		row "$f" "share/doc/threatlist/$f" $perm
	done
}

case $mode in
install)
	for src in src/bin/*.rs; do
		name=$(basename "$src" .rs)
		if [ ! -x "$bin_dir/$name" ]; then
			echo "install.sh: $bin_dir/$name is missing: run cargo build --release --locked (or make install)" >&2
			exit 2
		fi
	done
	manifest | while IFS=$tab read -r src dest perm; do
		install -D -m "$perm" "$src" "$root/$dest"
	done
	;;
uninstall)
	manifest | while IFS=$tab read -r src dest perm; do
		rm -f "$root/$dest"
	done
	rm -rf "$root/share/doc/threatlist/examples" "$root/share/doc/threatlist/docs"
	rmdir "$root/share/doc/threatlist" 2>/dev/null || true
	;;
esac
