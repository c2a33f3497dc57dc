# The whole test suite, never from the test cache (the boundary test reads `go list`, which the cache
# cannot see). Keyring tests need a Secret Service: when dbus-run-session and gnome-keyring-daemon
# are installed, the suite runs inside a private session bus with a new, unlocked keyring (in a temporary
# folder, so an existing login keyring with another password is never touched) that ends with it.
GO_TEST = go test -race -count=1 -timeout 45m ./...

.PHONY: test build sandbox

test:
	@if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then \
		keyrings=$$(mktemp -d); \
		dbus-run-session -- sh -c "echo -n onboard-test | XDG_DATA_HOME=$$keyrings gnome-keyring-daemon --unlock --components=secrets >/dev/null; sleep 1; $(GO_TEST)"; status=$$?; \
		rm -rf "$$keyrings"; exit $$status; \
	else \
		echo "no dbus-run-session/gnome-keyring-daemon: keyring tests will skip (apt-get install dbus gnome-keyring)"; \
		$(GO_TEST); \
	fi

# A release binary: symbol table and DWARF debug information stripped (about a third smaller); stack
# traces keep their function names and lines.
build:
	go build -trimpath -ldflags="-s -w" -o bin/onboard ./cmd/onboard

sandbox: build
	./bin/onboard tencent --sandbox
