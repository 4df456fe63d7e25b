# The lab kit's commands. `make` alone lists them.
#
# Students:    make doctor               is this machine ready for the labs?
#              make check LAB=3          check your lab 3 step by step   (STEP=2: only step 2)
#              make reset LAB=3          put back lab 3's starter code (STEP=2: only step 2's functions)
#              make run LAB=3 PROG=echo-server ARGS="--port 0"
#              make repl                 drive servers by hand
#              make bench                blocking vs selector vs Python echo servers, 1 to 5000 clients
#              make sandbox              the offline Telegram Bot API, for lab 6
# Instructors: make test, make mutants, make consistency, make demo, make diagrams
#              make student-kit DEST=../kit-for-students   the copy to hand out (make student-kit-test proves it)
#              make grade, make autograder, make class-report DIR=results/   (README: "Grading")
# Maintainers: make update-packages      move the pinned packages on, on purpose (README: "Updating the packages")
#              make pin-packages         after any change to Package.swift: Package.resolved written anew

SWIFT    ?= swift
LAB      ?=
STEP     ?=
SOLUTION ?=
SEED     ?=
SUBMISSION ?=
REPEAT   ?=
PROG     ?=
ARGS     ?=
DEST     ?=
FORCE    ?=

# Quiet builds: only errors and warnings reach the screen.
BUILD    := $(SWIFT) build -q
BIN      := $(shell $(SWIFT) build --show-bin-path)
SUFFIX    = $(if $(SOLUTION),-solution)

.DEFAULT_GOAL := help
# The kind of machine, as the student copy files its reference programs: linux-x86_64, darwin-arm64, …
PLATFORM := $(shell uname -s | tr A-Z a-z)-$(shell uname -m)
# The student copy has no Solutions/: its reference programs come built, in this folder (make student-kit).
REFERENCE := Labs/reference/$(PLATFORM)
# Where the reference programs are: this build's (instructors), or the student copy's prebuilt ones.
REFERENCE_BIN = $(if $(wildcard Solutions),$(BIN),$(REFERENCE))
# Benchmarks are built with optimisation, in a build folder of their own.
RELEASE  := $(SWIFT) build -q -c release --scratch-path .build-release
# The reference servers when this copy of the kit has them (their source, or built for this machine), the student's
# own otherwise.
BENCH_SUFFIX = $(if $(wildcard Solutions $(REFERENCE)),-solution)
# The student copy's reference servers come built, optimised: then only labbench is built.
BENCH_PREBUILT = $(if $(wildcard Solutions),,$(wildcard $(REFERENCE)))
RELEASE_BIN = $(shell $(SWIFT) build -c release --scratch-path .build-release --show-bin-path)

.PHONY: instructors-only help check watch hint reset grade submit-check class-report autograder autograder-test run repl sandbox test mutants consistency demo bench diagrams clean student-kit student-kit-test system-packages demo-tools update-packages pin-packages test-tools doctor format lint

help:
	@echo "The Swift network programming lab kit"
	@echo ""
	@echo "  make doctor                              is this machine ready for the labs? (one line each, and the fixes)"
	@echo "  make check LAB=n [STEP=k] [SOLUTION=1]   check lab n (only step k; or the reference solution)"
	@echo "  make check                               your progress in every lab, and the next step"
	@echo "  make watch LAB=n                         check again on every save (Enter, h: hint, q: quit)"
	@echo "  make hint LAB=n STEP=k                   the step's next hint"
	@echo "  make reset LAB=n [STEP=k] [FORCE=1]      put back the lab's starter code (or step k's functions); yours saved first"
	@echo "  make check LAB=n SEED=s | REPEAT=n       replay a seed a failure printed; or n runs with fresh seeds"
	@echo "  make grade [LAB=n] FORMAT=json|junit|gradescope|classroom [OUT=file]"
	@echo "                                           grade the labs for a grader (SOLUTION=1: the reference)"
	@echo "  make submit-check                        before handing in: is your work committed, does every lab pass?"
	@echo "  make run LAB=n PROG=name [SOLUTION=1] ARGS=\"...\""
	@echo "                                           run a lab program, e.g. make run LAB=3 PROG=echo-server"
	@echo "  make repl [ARGS=\"--script FILE\"]         labrepl: connect, listen, send and receive by hand"
	@echo "  make sandbox [ARGS=\"--port 8081\"]        the offline Telegram Bot API (lab 6): prints the bot's settings"
	@echo "  make demo                                a tour of the reference programs, lab by lab"
	@echo "  make bench                               echo servers side by side at 1-5000 clients (table, CSV, chart)"
	@echo "  make clean                               remove build products and check transcripts"
	@echo "  make format                              lay out your Swift as the kit's is (.swift-format: swift-nio's style)"
ifneq ($(wildcard Solutions),)
	@echo "  make test                                every test, and every reference solution's check"
	@echo ""
	@echo "Instructors:"
	@echo "  make mutants [LAB=n]                     prove each starter body's missing work fails the step it names"
	@echo "  make consistency                         the lab lists, mirrored code, steps, hints and handout anchors agree"
	@echo "  make lint                                every Swift file laid out as make format would (CI runs it)"
	@echo "  make diagrams                            redraw lab 5's DEVS diagrams from the reference models"
	@echo "  make student-kit DEST=dir                the copy to hand out: the last commit, reference programs built"
	@echo "  make student-kit-test                    prove that copy: no solved code, make demo, make check, make test"
	@echo "  make class-report DIR=results/ [OUT=report/]"
	@echo "                                           a class's results (make grade FORMAT=json): CSV, heatmap, where it is stuck"
	@echo "  make autograder [OUT=autograder.zip]     Gradescope's autograder: setup.sh, run_autograder, the kit, held-back checks"
	@echo "  make update-packages                     newest package versions Package.swift allows, pinned by tag"
	@echo "  make pin-packages                        after a change to Package.swift: Package.resolved anew, same versions"
else
	@echo "  make test                                the kit's own tests: is this copy sound on this machine?"
endif
	@echo ""
	@echo "Handouts: Labs/*/README.md — start with Labs/01-oo-greeting/README.md"

# The checker builds the lab's own programs itself (and nothing else), so a half-done later lab never gets in the way.
check: system-packages
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck $(if $(LAB),--lab $(LAB)) $(if $(STEP),--step $(STEP)) $(if $(SOLUTION),--solution --reference-dir "$(REFERENCE)") \
		$(if $(SEED),--seed "$(SEED)") $(if $(REPEAT),--repeat "$(REPEAT)") --bin-dir "$(BIN)" --build

# Checks the lab again whenever one of its files is saved (Enter: now, h: next hint, q: quit).
watch: system-packages
	@test -n "$(LAB)" || { echo "usage: make watch LAB=n"; exit 2; }
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck watch --lab "$(LAB)" $(if $(SOLUTION),--solution) --bin-dir "$(BIN)" --build

# The next hint for a step, each closer to the answer; your progress file remembers which you have seen.
hint:
	@test -n "$(LAB)" -a -n "$(STEP)" || { echo "usage: make hint LAB=n STEP=k"; exit 2; }
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck hint --lab "$(LAB)" --step "$(STEP)"

# The lab's starter code put back from git (STEP=k: only the functions whose starter bodies name step k), after saving
# your versions under .labcheck/saved/<time>/. Asks first; FORCE=1 does not ask.
reset:
	@test -n "$(LAB)" || { echo "usage: make reset LAB=n [STEP=k] [FORCE=1]"; exit 2; }
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck reset --lab "$(LAB)" $(if $(STEP),--step "$(STEP)") $(if $(FORCE),--force)

# Results for a grader: FORMAT=json (the kit's own), junit, gradescope or classroom; OUT=file, else standard output.
FORMAT   ?= json
OUT      ?=
grade: system-packages
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck grade $(if $(LAB),--lab $(LAB)) $(if $(SOLUTION),--solution --reference-dir "$(REFERENCE)") --format "$(FORMAT)" \
		$(if $(OUT),--out "$(OUT)") $(if $(SEED),--seed "$(SEED)") $(if $(SUBMISSION),--submission "$(SUBMISSION)") \
		--bin-dir "$(BIN)" --build

# Before handing in, one screen: uncommitted changes, new files git does not know in the labs' folders, commits not
# pushed, and every lab's check (nothing is added to your progress file).
submit-check: system-packages
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck submit-check --bin-dir "$(BIN)" --build

# Where the class is stuck: a folder of the kit's JSON results, one per student (NAME.json), as report/class.csv,
# report/class-heatmap.svg and the five steps that fail most often. Files it cannot read are listed and left out.
DIR      ?=
class-report:
	@test -n "$(DIR)" || { echo "usage: make class-report DIR=results/ [OUT=report/]"; exit 2; }
	@$(BUILD) --product labcheck
	@$(BIN)/labcheck class-report --dir "$(DIR)" $(if $(OUT),--out "$(OUT)")

# Gradescope's autograder.zip (.ci/autograder/): setup.sh, run_autograder, and the kit without Solutions/, held-back
# checks included. make autograder-test runs it here against a fake /autograder with three submissions; CI runs it.
autograder: instructors-only
	@.ci/autograder/make-zip "$(or $(OUT),autograder.zip)"

autograder-test: system-packages
	@test -d Solutions || { echo "make autograder-test grades the reference solutions, which are not in this copy."; exit 2; }
	$(BUILD)
	$(SWIFT) test -q --filter AutograderEndToEndTests

run: system-packages
	@test -n "$(LAB)" -a -n "$(PROG)" || { echo "usage: make run LAB=n PROG=name [SOLUTION=1] ARGS=\"...\"  (e.g. make run LAB=3 PROG=echo-server)"; exit 2; }
	@# A built reference program starts at once, with no build: none waits on another terminal's build.
	@built="$(REFERENCE)/lab$(LAB)-$(PROG)-solution"; \
	if [ -n "$(SOLUTION)" ] && [ ! -d Solutions ] && [ -x "$$built" ]; then exec "$$built" $(ARGS); fi; \
	$(BUILD) --product labcheck || exit 2; \
	product=$$($(BIN)/labcheck --lab "$(LAB)" --product-of "$(PROG)" $(if $(SOLUTION),--solution --reference-dir "$(REFERENCE)") \
		--bin-dir "$(BIN)") || exit 2; \
	if [ -n "$(SOLUTION)" ] && [ ! -d Solutions ]; then exec "$(REFERENCE)/$$product" $(ARGS); fi; \
	$(BUILD) --product $$product && exec $(BIN)/$$product $(ARGS)

# labrepl, the line editor for playing either side of a conversation by hand (it needs libedit: system-packages).
repl: system-packages
	@$(BUILD) --product labrepl
	@$(BIN)/labrepl $(ARGS)

# Lab 6's offline Bot API: point a bot at it with the TELEGRAM_API_URL and TELEGRAM_BOT_TOKEN it prints.
sandbox:
	@$(BUILD) --product telegram-sandbox
	@$(BIN)/telegram-sandbox $(ARGS)

# The autograder's end-to-end test has its own target (below): it builds a whole second copy of the kit.
test: system-packages test-tools
	$(BUILD)
	$(SWIFT) test -q --skip AutograderEndToEndTests

# The per-step proof: the reference with one starter body put back must fail the step that body's TODO names, for
# every body. Built in .build-mutants/, never in your files; CI runs it after make test.
mutants: system-packages
	@test -d Solutions || { echo "make mutants proves the checks against the reference solutions, which are not in this copy."; exit 2; }
	@$(BUILD) --product labdev
	@$(BIN)/labdev mutants $(if $(LAB),--lab $(LAB))

# The student copy builds only the tour itself: the programs it runs come built (Labs/reference).
demo: system-packages demo-tools
	@$(BUILD) $(if $(wildcard Solutions),,--product labdemo)
	@$(BIN)/labdemo --bin-dir "$(REFERENCE_BIN)"

# The servers and the load generator are built optimised; the figures land in bench-results/.
bench:
	@echo "Building the servers and labbench with optimisation (the first time takes a few minutes)..."
	@$(RELEASE) --product labbench
	@$(if $(BENCH_PREBUILT),,$(RELEASE) --product lab3-echo-server$(BENCH_SUFFIX))
	@$(if $(BENCH_PREBUILT),,$(RELEASE) --product lab4-mux-server$(BENCH_SUFFIX))
	@"$(RELEASE_BIN)/labbench" compare --bin-dir "$(if $(BENCH_PREBUILT),$(REFERENCE),$(RELEASE_BIN))" \
		$(if $(BENCH_SUFFIX),--solution) --python-server Labs/04-multiplexed-echo/lecture_selectors_echo.py --out bench-results $(ARGS)

# Lab 5's DEVS diagrams, drawn from the reference models (the code is the diagram): Mermaid and Graphviz sources, SVG
# when Graphviz is installed, and the Mermaid copies embedded in the handout. A test fails when these are stale.
LAB5     := Labs/05-framed-protocol
diagrams:
	@test -d Solutions || { echo "make diagrams draws the reference models, which are not in this copy. Your own: make run LAB=5 PROG=router ARGS=\"--diagram mermaid\""; exit 2; }
	@$(BUILD) --product lab5-router-solution
	@$(BUILD) --product lab5-client-solution
	@for pair in router:receiver client:greeter; do \
		program=$(BIN)/lab5-$${pair%%:*}-solution; name=$${pair##*:}; \
		$$program --diagram mermaid > $(LAB5)/$$name.mmd && $$program --diagram dot > $(LAB5)/$$name.dot || exit 1; \
		if command -v dot >/dev/null; then dot -Tsvg $(LAB5)/$$name.dot -o $(LAB5)/$$name.svg || exit 1; fi; \
		awk -v file=$(LAB5)/$$name.mmd -v marker="<!-- $$name.mmd: generated by make diagrams -->" \
			'skip { if ($$0 == "```") skip = 0; next } \
			 $$0 == marker { print; print "```mermaid"; while ((getline line < file) > 0) print line; close(file); print "```"; skip = 1; next } \
			 { print }' $(LAB5)/README.md > $(LAB5)/README.md.new && mv $(LAB5)/README.md.new $(LAB5)/README.md || exit 1; \
		echo "drew $(LAB5)/$$name.mmd, .dot$$(command -v dot >/dev/null && echo ', .svg') and its copy in the handout"; \
	done
	@command -v dot >/dev/null || echo "(Graphviz's dot is not installed: the SVG files were left as they were)"

clean:
	$(SWIFT) package clean
	rm -rf .build-release .build-mutants .build-student-kit bench-results
	@# .labcheck/progress.log is the student's own record, and .labcheck/saved/ what make reset saved: kept.
	find .labcheck -mindepth 1 ! -name progress.log ! -path .labcheck/saved ! -path '.labcheck/saved/*' -delete 2>/dev/null || true

# The copy a teacher hands out, made from the last commit (never from the working files): everything but what only
# instructors need (listed once, in Sources/LabDevKit/StudentKit.swift), a README of its own, and the reference
# programs built for this machine in Labs/reference/$(PLATFORM)/. Built in .build-student-kit/.
student-kit: instructors-only
	@test -n "$(DEST)" || { echo "usage: make student-kit DEST=dir"; exit 2; }
	@$(BUILD) --product labdev
	@$(BIN)/labdev student-kit --dest "$(DEST)" --platform "$(PLATFORM)"

# The proof of the student copy: made from a clone of the last commit with every lab solved but not committed, it
# holds no solved code and nothing instructors-only, and make demo, a reference server, make check LAB=1 (and
# SOLUTION=1) and make test work in it. Slow (the copy builds from nothing): CI runs it after make test.
student-kit-test: instructors-only
	@$(BUILD) --product labdev
	@$(BIN)/labdev student-kit-test --platform "$(PLATFORM)"

# The kit agrees with itself: each lab program listed once in Package.swift and in its checks, given code equal on
# both sides, no stray folder, every step with a TODO, a hint and its handout anchor. Quick; CI runs it.
consistency: instructors-only
	@$(BUILD) --product labdev
	@$(BIN)/labdev consistency

# swift-format comes with the toolchain (Swift 6+). Its configuration, .swift-format, is swift-nio's, with one rule
# off: OnlyOneTrailingClosureArgument, which would forbid the lab 6 Dispatcher's `bot.text(when: { … }) { … }`.
SWIFT_FILES := Package.swift $(wildcard Sources Solutions Tests .ci/*.swift)

format:
	@$(SWIFT) format format --in-place --recursive --parallel $(SWIFT_FILES)

lint:
	@$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_FILES) \
		|| { echo "Some Swift is not laid out as .swift-format says: run make format, then commit."; exit 1; }

instructors-only:
	@test -d Solutions || { echo "make $(MAKECMDGOALS) is for the instructor's copy of the kit (with Solutions/); this is the student copy."; exit 2; }

# Package.resolved written anew for the Package.swift of now, the versions kept, each pinned by its version tag where
# SwiftPM writes a commit id: a tag is the same in every copy of a package, a commit id is not (README, "Updating the
# packages"). Run it after any change to Package.swift, then commit Package.resolved.
pin-packages:
	@scratch=$$(mktemp -d) && $(SWIFT) package --scratch-path "$$scratch" resolve; status=$$?; rm -rf "$$scratch"; exit $$status
	@perl -0pi -e 's/"revision" : "[0-9a-f]{40}",(\s*)"version" : "([^"]+)"/"revision" : "$$2",$$1"version" : "$$2"/g' Package.resolved
	@sed -nE 's/.*"identity" : "([^"]*)".*/\1/p; s/.*"version" : "([^"]*)".*/\1/p' Package.resolved | paste -d ' ' - -
	@! grep -Eq '"revision" : "[0-9a-f]{40}"' Package.resolved || { echo "Package.resolved still names a commit: pin it to a version tag"; exit 1; }

# The newest versions Package.swift allows, then pinned as above. Then make test, and commit Package.resolved.
update-packages:
	$(SWIFT) package update
	@$(MAKE) --no-print-directory pin-packages

# libedit's headers, for labrepl, on Linux (macOS has libedit in its SDK). Installed when we can (as root, with
# apt-get); otherwise the exact command is shown.
system-packages:
	@if [ "$$(uname -s)" = Linux ] && ! { command -v pkg-config >/dev/null && pkg-config --exists libedit; }; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing libedit-dev (labrepl's line editor)..."; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libedit-dev pkg-config >/dev/null \
				|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libedit-dev pkg-config >/dev/null; } \
				|| { echo "Could not install libedit-dev. Run: sudo apt-get install libedit-dev pkg-config"; exit 1; }; \
		elif command -v apt-get >/dev/null; then \
			echo "The kit needs libedit's headers. Run:  sudo apt-get install libedit-dev pkg-config  and try again."; exit 1; \
		elif command -v dnf >/dev/null; then \
			echo "The kit needs libedit's headers. Run:  sudo dnf install libedit-devel pkgconf  and try again."; exit 1; \
		else \
			echo "The kit needs libedit's headers and pkg-config (Debian/Ubuntu: libedit-dev). make doctor lists what else is missing."; exit 1; \
		fi; \
	fi

# Programs the tests run beside the kit's own, as command:Debian package:Homebrew package — the list of
# Tests/TestSupport/Tools.swift (which says what each is for; a test checks that this list and .ci/packages agree).
TEST_TOOLS := python3:python3:python nc:netcat-openbsd:netcat socat:socat:socat tmux:tmux:tmux tshark:tshark:wireshark

# Installed when we can (as root, with apt-get); otherwise the exact command is shown.
test-tools:
	@missing=""; brew=""; for tool in $(TEST_TOOLS); do \
		command -v $${tool%%:*} >/dev/null || { rest=$${tool#*:}; missing="$$missing $${rest%%:*}"; brew="$$brew $${rest#*:}"; }; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing$$missing (programs the tests run as peers the kit did not write)..."; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
				|| { echo "Could not install$$missing. Run: sudo apt-get install$$missing"; exit 1; }; \
		elif command -v apt-get >/dev/null; then \
			echo "The tests need$$missing. Run:  sudo apt-get install$$missing  and try again."; exit 1; \
		else \
			echo "The tests need$$brew. Run:  brew install$$brew  (Debian/Ubuntu: sudo apt-get install$$missing)  and try again."; exit 1; \
		fi; \
	fi

# Is this machine ready? One line per requirement (Swift, libedit, nc, python3, descriptors, ports, disk, folder),
# with the fix for each that is not; fails when a lab needs something missing. Swift itself is checked first, here:
# without it the doctor cannot be built.
doctor:
	@$(SWIFT) --version >/dev/null 2>&1 || { echo "✗ swift        not found. Fix: install Swift 6 from https://www.swift.org/install (or use the dev container: README.md)"; exit 1; }
	@$(BUILD) --product labdoctor
	@"$(BIN)/labdoctor" --package-dir . --swift "$(SWIFT)"

# The tour also plays peers the kit did not write: Python's socket module, and curl as a Telegram user.
demo-tools:
	@missing=""; command -v python3 >/dev/null || missing="$$missing python3"; command -v curl >/dev/null || missing="$$missing curl"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing$$missing (the demo's outside peers)..."; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
				|| { echo "Could not install$$missing. Run: sudo apt-get install$$missing"; exit 1; }; \
		else \
			echo "The demo needs$$missing. Run:  sudo apt-get install$$missing  (macOS: brew install$$missing)  and try again."; exit 1; \
		fi; \
	fi
