# The whole test suite, never from the test cache (the boundary test reads `go list`, which the cache
# cannot see). Keyring tests need a Secret Service: when dbus-run-session and gnome-keyring-daemon
# are installed, the suite runs inside a private session bus with a new, unlocked keyring (in a temporary
# folder, so an existing login keyring with another password is never touched) that ends with it.
# gotestsum (pinned) prints each package and ends with the number of tests run, skipped and failed.
GOTESTSUM = go run gotest.tools/gotestsum@v1.13.0 --format pkgname-and-test-fails --format-hide-empty-pkg
GO_TEST = $(GOTESTSUM) -- -race -count=1 -timeout 45m ./...

.PHONY: test build sandbox lint

test:
	@if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then \
		keyrings=$$(mktemp -d); \
		: "dbus-daemon run as root where it may not raise its fd limit says so at every start: its own"; \
		: "output goes to a log, shown after the tests without that line; the tests write to fd 3, the terminal"; \
		dbus-run-session -- sh -c "echo -n onboard-test | XDG_DATA_HOME=$$keyrings gnome-keyring-daemon --unlock --components=secrets >/dev/null; sleep 1; $(GO_TEST) 2>&3" 3>&2 2>"$$keyrings/dbus.log"; status=$$?; \
		grep -v 'Failed to set fd limit' "$$keyrings/dbus.log" >&2; \
		rm -rf "$$keyrings"; exit $$status; \
	else \
		echo "no dbus-run-session/gnome-keyring-daemon: keyring tests will skip (apt-get install dbus gnome-keyring)"; \
		$(GO_TEST); \
	fi

# The static gates CI runs before the tests: formatting, go vet and staticcheck (pinned).
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt -l: not formatted:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# A release binary: symbol table and DWARF debug information stripped (about a third smaller); stack
# traces keep their function names and lines.
build:
	go build -trimpath -ldflags="-s -w" -o bin/onboard ./cmd/onboard

sandbox: build
	./bin/onboard tencent --sandbox
