#!/usr/bin/env bash
# setup.sh — installs what the tests need, and only what is missing, so it is safe to run again:
#   pyarrow (the Arrow interop tests read our output with it), the Go modules, and the Apache Kafka
#   jars from Maven Central (deploy/kafka/kafka.sh fetch), promtool (Debian's prometheus package: the
#   alert rule tests, deploy/alerts_test.go) and pdftoppm/pdftotext (poppler-utils: the PDF audit report
#   test). Java 17+, Maven, Go and Python 3 must
#   already be on the machine; it says so plainly if one is not.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf 'setup.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

for tool in go java mvn python3 openssl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH; install it first (see README.md)"
done

java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [[ -z $java_major || ${java_major%%.*} -lt 17 ]]; then
	die "Kafka 4.x needs Java 17 or later; java on PATH is ${java_major:-unknown}"
fi

if python3 -c 'import pyarrow' 2>/dev/null; then
	say "pyarrow present"
else
	say "installing pyarrow with pip"
	# A system Python may refuse a global install (PEP 668); a user install is enough for tests.
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pyarrow ||
		python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --user pyarrow ||
		die "installing pyarrow with pip failed (the Arrow interop tests need it)"
	python3 -c 'import pyarrow' || die "pyarrow installed but python3 cannot import it"
fi

# need_deb installs Debian package pkg when tool is not on PATH. apt-get needs root: as root directly,
# else through sudo when it asks no password; otherwise say what to run.
need_deb() {
	local tool=$1 pkg=$2 why=$3
	if command -v "$tool" >/dev/null 2>&1; then
		say "$tool present"
		return 0
	fi
	local apt=(apt-get)
	if ((EUID != 0)); then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			apt=(sudo -n apt-get)
		else
			die "$tool is not on PATH and installing it needs root: run 'apt-get install $pkg' as root"
		fi
	fi
	say "installing $tool (Debian package $pkg)"
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null ||
		{ "${apt[@]}" update >/dev/null && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null; } ||
		die "installing the $pkg package failed ($why)"
	command -v "$tool" >/dev/null 2>&1 || die "the $pkg package installed no $tool on PATH"
}

# Debian's prometheus package ships promtool and the server.
need_deb promtool prometheus "the alert rule tests need promtool"
# poppler renders and reads the PDF audit report in its test (pdftoppm, pdftotext).
need_deb pdftoppm poppler-utils "the PDF report test renders its pages with pdftoppm"

say "downloading Go modules"
go mod download

deploy/kafka/kafka.sh fetch
say "done"
