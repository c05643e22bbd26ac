# make install [PREFIX=/usr/local] [DESTDIR=]: the tl-* binaries (a release
# build), man pages, shell completions and examples; scripts/install.sh says
# what goes where. make uninstall removes them again. make deb: the Debian
# package (cargo install cargo-deb first; metadata in Cargo.toml) in
# target/debian/.
PREFIX ?= /usr/local
DESTDIR ?=
CARGO ?= cargo
# .cargo/config.toml builds for the host's triple, named explicitly;
# cargo-deb must be told it to find the binaries.
HOST := $(shell rustc -vV | sed -n 's/^host: //p')

.PHONY: all build install uninstall deb

all: build

build:
	$(CARGO) build --release --locked

install: build
	scripts/install.sh "$(DESTDIR)" "$(PREFIX)"

uninstall:
	scripts/install.sh --uninstall "$(DESTDIR)" "$(PREFIX)"

deb:
	rm -rf target/debian
	$(CARGO) deb --locked --target "$(HOST)" -o target/debian/
