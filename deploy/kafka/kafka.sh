#!/usr/bin/env bash
# kafka.sh — one Apache Kafka 4.x node (KRaft, broker + controller) on 127.0.0.1 for tests and local use.
#
# The jars come from Maven Central through deploy/kafka/pom.xml and are cached in .cache/kafka/, so only
# the first start needs Maven and the network. Every start formats fresh storage (new cluster id, new SCRAM
# credentials) unless KAFKA_KEEP_DATA=1. See deploy/kafka/README.md.
set -euo pipefail

usage() {
	cat <<EOF
usage: deploy/kafka/kafka.sh COMMAND [ARGS]

commands:
  start              resolve jars if needed, make TLS certs, format storage, start the node, wait until it answers
  stop               stop the node (SIGTERM, then SIGKILL after \$KAFKA_STOP_TIMEOUT s)
  status             say whether the node is running (exit 0) or not (exit 3)
  logs [-f] [N]      print the last N (default 100) lines of the broker log; -f follows it
  env                print the shell exports clients and tests need (eval "\$(deploy/kafka/kafka.sh env)")
  fetch              resolve the broker and tools jars into the cache, nothing else
  console-consumer   run org.apache.kafka.tools.consumer.ConsoleConsumer (--bootstrap-server added if absent)
  console-producer   run org.apache.kafka.tools.ConsoleProducer (--bootstrap-server added if absent)
  topics             run org.apache.kafka.tools.TopicCommand (--bootstrap-server added if absent)

environment (defaults):
  KAFKA_PORT=19092             PLAINTEXT listener
  KAFKA_SASL_PORT=19093        SASL_SSL listener (SCRAM-SHA-256, SCRAM-SHA-512)
  KAFKA_CONTROLLER_PORT=19094  KRaft controller listener
  KAFKA_CACHE_DIR=<repo>/.cache/kafka
  KAFKA_HEAP=1g                broker -Xmx
  KAFKA_START_TIMEOUT=180      seconds to wait for the node to answer
  KAFKA_STOP_TIMEOUT=30        seconds to wait after SIGTERM before SIGKILL
  KAFKA_KEEP_DATA=0            1 keeps the formatted storage (and credentials) across starts
  KAFKA_SASL_USER=deid         SCRAM user created at format time (a super user when the authorizer is on)
  KAFKA_INSTANCE_DIR=<cache>   data, logs, server.properties, credentials and pid file of this node: another
                               directory (with other ports) runs a second node from the same jars and CA
  KAFKA_AUTHORIZER=0           1 turns on KRaft's StandardAuthorizer: deny unless an ACL allows; super users are
                               User:ANONYMOUS (the PLAINTEXT and CONTROLLER listeners: keep them on 127.0.0.1)
                               and User:\$KAFKA_SASL_USER
  KAFKA_SCRAM_USERS=           more SCRAM users (space-separated), each with a random password written to
                               <instance>/credentials as scram.NAME=PASSWORD
  MAVEN_ARGS=                  extra arguments for mvn (e.g. -o, -s settings.xml)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${KAFKA_CACHE_DIR:-$root/.cache/kafka}
plaintext_port=${KAFKA_PORT:-19092}
sasl_port=${KAFKA_SASL_PORT:-19093}
controller_port=${KAFKA_CONTROLLER_PORT:-19094}
heap=${KAFKA_HEAP:-1g}
start_timeout=${KAFKA_START_TIMEOUT:-180}
stop_timeout=${KAFKA_STOP_TIMEOUT:-30}
sasl_user=${KAFKA_SASL_USER:-deid}

instance=${KAFKA_INSTANCE_DIR:-$cache}
authorizer=${KAFKA_AUTHORIZER:-0}
scram_users=${KAFKA_SCRAM_USERS:-}

libs=$cache/libs
tools_libs=$cache/tools-libs
tls=$cache/tls
data=$instance/data
logs=$instance/logs
pidfile=$instance/kafka.pid
credentials=$instance/credentials
properties=$instance/server.properties
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

die() {
	printf 'kafka.sh: %s\n' "$*" >&2
	exit 1
}

log() { printf 'kafka.sh: %s\n' "$*" >&2; }

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH: $2"
}

# lock serialises start/stop/fetch of one cache directory: several shells may share a checkout.
lock() {
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock -w 600 9 || die "waiting for $cache/.lock: another kafka.sh held it for 10 minutes"
}

# resolve copies the jars of one pom.xml profile into dir. A stamp holding the pom's hash marks a complete
# copy, so an interrupted resolution is redone and a changed pom is picked up.
resolve() {
	local profile=$1 dir=$2 stamp want
	want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
	stamp=$dir/.resolved
	if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
		return 0
	fi
	need mvn "Maven resolves the Kafka jars from Maven Central (apt-get install maven)"
	log "resolving the $profile jars from Maven Central into $dir (first run only)"
	local tmp=$dir.tmp.$$
	rm -rf "$tmp"
	# shellcheck disable=SC2086 # MAVEN_ARGS is a list of arguments
	if ! mvn -B -q ${MAVEN_ARGS:-} -f "$here/pom.xml" -P "$profile" \
		dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$cache/maven-$profile.log" 2>&1; then
		tail -n 30 "$cache/maven-$profile.log" >&2
		rm -rf "$tmp"
		die "resolving the $profile jars with Maven failed (full output: $cache/maven-$profile.log)"
	fi
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "$want" >"$stamp"
}

# make_tls creates a self-signed CA and a server certificate for 127.0.0.1/localhost, once per cache.
make_tls() {
	if [[ -f $tls/server.p12 && -f $tls/ca.pem && -f $tls/keystore.password ]]; then
		return 0
	fi
	need openssl "it makes the test CA and the broker certificate"
	log "making a self-signed CA and broker certificate in $tls"
	rm -rf "$tls"
	mkdir -p "$tls"
	chmod 700 "$tls"
	local pw
	pw=$(openssl rand -hex 16)
	(
		cd "$tls"
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
			-keyout ca.key -out ca.pem -subj "/CN=deidstream test CA" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
		openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost"
		printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext
		openssl x509 -req -sha256 -days 825 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-extfile server.ext -out server.pem
		openssl pkcs12 -export -name kafka -in server.pem -inkey server.key -certfile ca.pem \
			-out server.p12 -passout "pass:$pw"
		rm -f server.csr server.ext ca.srl
		printf '%s\n' "$pw" >keystore.password
	) >"$cache/openssl.log" 2>&1 || {
		cat "$cache/openssl.log" >&2
		die "making the TLS certificates with openssl failed"
	}
	chmod 600 "$tls"/*.key "$tls/keystore.password"
}

render_config() {
	local pw
	pw=$(<"$tls/keystore.password")
	sed -e "s#@PLAINTEXT_PORT@#$plaintext_port#g" -e "s#@SASL_PORT@#$sasl_port#g" \
		-e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@TLS_DIR@#$tls#g" \
		-e "s#@DATA_DIR@#$data#g" -e "s#@KEYSTORE_PASSWORD@#$pw#g" \
		"$here/server.properties.tmpl" >"$properties"
	if [[ $authorizer == 1 ]]; then
		# The broker reaches its own controller and itself over the PLAINTEXT and CONTROLLER
		# listeners as User:ANONYMOUS, so that principal must be a super user.
		printf '%s\n' "" "# KAFKA_AUTHORIZER=1: deny unless an ACL allows." \
			"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
			"allow.everyone.if.no.acl.found=false" \
			"super.users=User:ANONYMOUS;User:$sasl_user" >>"$properties"
	fi
	chmod 600 "$properties"
}

# format wipes the data directory and formats KRaft storage with a fresh cluster id and SCRAM users.
format() {
	local cluster_id password u
	local extra=() lines=()
	# A Kafka cluster id is 16 random bytes in unpadded URL-safe base64; one starting with '-'
	# (1 in 64) would be read by StorageTool as an option, so draw again.
	cluster_id=-
	while [[ $cluster_id == -* ]]; do
		cluster_id=$(openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n')
	done
	password=$(openssl rand -hex 16)
	for u in $scram_users; do
		[[ $u =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SCRAM_USERS: user name \"$u\" must be letters, digits, '.', '_' or '-'"
		local pw
		pw=$(openssl rand -hex 16)
		extra+=(--add-scram "SCRAM-SHA-256=[name=$u,password=$pw]" --add-scram "SCRAM-SHA-512=[name=$u,password=$pw]")
		lines+=("scram.$u=$pw")
	done
	rm -rf "$data"
	mkdir -p "$data"
	log "formatting KRaft storage (cluster id $cluster_id)"
	"$java" -Xmx256m -Dlog4j2.configurationFile="$here/tools-log4j2.properties" -cp "$libs/*" \
		kafka.tools.StorageTool format -t "$cluster_id" -c "$properties" \
		--add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$password]" \
		--add-scram "SCRAM-SHA-512=[name=$sasl_user,password=$password]" "${extra[@]}" >"$logs/format.log" 2>&1 || {
		cat "$logs/format.log" >&2
		die "formatting KRaft storage in $data failed"
	}
	printf '%s\n' "user=$sasl_user" "password=$password" "${lines[@]}" >"$credentials"
	chmod 600 "$credentials"
}

# running succeeds when the pid file names a live process that is our broker (pids get reused).
running() {
	[[ -f $pidfile ]] || return 1
	local pid
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

# api_versions sends a Kafka ApiVersions v0 request (correlation id 42) and checks the reply's
# correlation id and error code: the port is served by a Kafka broker that handles requests.
api_versions() {
	local port=$1 out
	out=$(timeout 5 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "\x00\x00\x00\x12\x00\x12\x00\x00\x00\x00\x00\x2a\x00\x08kafka.sh" >&3
		head -c 10 <&3 | od -An -tx1 | tr -d " \n"' _ "$port" 2>/dev/null) || return 1
	[[ ${out:8:12} == 0000002a0000 ]]
}

# tls_ready checks that the SASL_SSL listener completes a TLS handshake verified against our CA.
tls_ready() {
	timeout 5 openssl s_client -connect "127.0.0.1:$sasl_port" -servername localhost \
		-CAfile "$tls/ca.pem" -verify_return_error -verify_ip 127.0.0.1 </dev/null >/dev/null 2>&1
}

port_busy() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

print_env() {
	[[ -f $credentials ]] || die "no credentials in $instance: start the broker first (deploy/kafka/kafka.sh start)"
	local user password
	user=$(sed -n 's/^user=//p' "$credentials")
	password=$(sed -n 's/^password=//p' "$credentials")
	cat <<EOF
export DEID_KAFKA_BROKERS=127.0.0.1:$plaintext_port
export DEID_KAFKA_SASL_BROKERS=127.0.0.1:$sasl_port
export DEID_KAFKA_SASL_USER=$user
export DEID_KAFKA_SASL_PASSWORD=$password
export DEID_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
export DEID_KAFKA_CA_FILE=$tls/ca.pem
EOF
}

fail_start() {
	log "$1"
	if [[ -f $logs/server.log ]]; then
		log "last lines of $logs/server.log:"
		tail -n 30 "$logs/server.log" >&2
	fi
	if [[ -s $logs/stdout.log ]]; then
		log "last lines of $logs/stdout.log:"
		tail -n 15 "$logs/stdout.log" >&2
	fi
	# The pid file names the process this start launched, so it is ours to stop.
	if [[ -f $pidfile ]]; then
		stop_pid "$(<"$pidfile")"
		rm -f "$pidfile"
	fi
	exit 1
}

start() {
	lock
	if running; then
		log "already running (pid $(<"$pidfile")); reusing it"
		print_env
		return 0
	fi
	need "$java" "Kafka 4.x needs Java 17 or later"
	for p in "$plaintext_port" "$sasl_port" "$controller_port"; do
		if port_busy "$p"; then
			die "port 127.0.0.1:$p is already in use by another process; pick others with KAFKA_PORT, KAFKA_SASL_PORT, KAFKA_CONTROLLER_PORT"
		fi
	done
	resolve broker "$libs"
	make_tls
	mkdir -p "$logs"
	render_config
	if [[ ${KAFKA_KEEP_DATA:-0} == 1 && -f $data/meta.properties && -f $credentials ]]; then
		log "keeping the formatted storage in $data"
	else
		format
	fi
	: >"$logs/server.log"
	log "starting Kafka on 127.0.0.1:$plaintext_port (PLAINTEXT), :$sasl_port (SASL_SSL), :$controller_port (CONTROLLER)"
	# setsid: the broker outlives this shell and ignores the terminal's Ctrl-C; kafka.sh stop ends it.
	# 9>&-: the broker must not inherit the lock, or every later kafka.sh would wait for it.
	setsid "$java" -Xms256m -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$logs" \
		-cp "$libs/*" kafka.Kafka "$properties" </dev/null >"$logs/stdout.log" 2>&1 9>&- &
	local pid=$!
	echo "$pid" >"$pidfile"

	local deadline=$((SECONDS + start_timeout))
	# Ready means: startup finished, the plaintext port serves Kafka requests, the TLS port verifies.
	until grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null &&
		api_versions "$plaintext_port" && tls_ready; do
		# kill -0, not running(): until setsid execs java, the child's command line is still bash's.
		kill -0 "$pid" 2>/dev/null || fail_start "the broker exited during startup"
		((SECONDS < deadline)) || fail_start "the broker did not answer within ${start_timeout}s (KAFKA_START_TIMEOUT)"
		sleep 0.5
	done
	log "ready after ${SECONDS}s (pid $(<"$pidfile"))"
	print_env
}

stop_locked() {
	if ! running; then
		rm -f "$pidfile"
		log "not running"
		return 0
	fi
	local pid
	pid=$(<"$pidfile")
	stop_pid "$pid"
	rm -f "$pidfile"
	log "stopped (pid $pid)"
}

# stop_pid sends SIGTERM (the broker flushes and deregisters), then SIGKILL after $stop_timeout seconds.
stop_pid() {
	local pid=$1 deadline
	kill -TERM "$pid" 2>/dev/null || return 0
	deadline=$((SECONDS + stop_timeout))
	while kill -0 "$pid" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			log "pid $pid still running ${stop_timeout}s after SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.25
	done
}

stop() {
	lock
	stop_locked
}

status() {
	if running; then
		echo "running (pid $(<"$pidfile"), PLAINTEXT 127.0.0.1:$plaintext_port, SASL_SSL 127.0.0.1:$sasl_port)"
		return 0
	fi
	echo "not running"
	return 3
}

logs_cmd() {
	local follow=0 n=100
	while (($#)); do
		case $1 in
		-f) follow=1 ;;
		*) n=$1 ;;
		esac
		shift
	done
	[[ -f $logs/server.log ]] || die "no broker log yet at $logs/server.log"
	if ((follow)); then
		exec tail -n "$n" -f "$logs/server.log"
	fi
	tail -n "$n" "$logs/server.log"
}

# tool runs a class from kafka-tools against the plaintext listener unless told otherwise.
tool() {
	local class=$1
	shift
	if [[ ! -f $tools_libs/.resolved ]]; then
		lock
		resolve tools "$tools_libs"
		exec 9>&-
	fi
	local args=(--bootstrap-server "127.0.0.1:$plaintext_port" "$@") a
	for a in "$@"; do
		if [[ $a == --bootstrap-server || $a == --bootstrap-server=* ]]; then
			args=("$@")
			break
		fi
	done
	exec "$java" -Xmx256m -Dlog4j2.configurationFile="$here/tools-log4j2.properties" \
		-cp "$tools_libs/*" "$class" "${args[@]}"
}

cmd=${1:-}
(($#)) && shift
case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
logs) logs_cmd "$@" ;;
env) print_env ;;
fetch)
	lock
	resolve broker "$libs"
	resolve tools "$tools_libs"
	log "jars cached in $cache"
	;;
console-consumer) tool org.apache.kafka.tools.consumer.ConsoleConsumer "$@" ;;
console-producer) tool org.apache.kafka.tools.ConsoleProducer "$@" ;;
topics) tool org.apache.kafka.tools.TopicCommand "$@" ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
