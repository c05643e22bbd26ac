# make install [PREFIX=/usr/local] [DESTDIR=]: the tl-* binaries (a release
# build), man pages, shell completions and examples; scripts/install.sh says
# what goes where. make uninstall removes them again. The Debian package:
# cargo deb (metadata in Cargo.toml).
PREFIX ?= /usr/local
DESTDIR ?=
CARGO ?= cargo

.PHONY: all build install uninstall

all: build

build:
	$(CARGO) build --release --locked

install: build
	scripts/install.sh "$(DESTDIR)" "$(PREFIX)"

uninstall:
	scripts/install.sh --uninstall "$(DESTDIR)" "$(PREFIX)"
