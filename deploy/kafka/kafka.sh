#!/usr/bin/env bash
# kafka.sh — Apache Kafka 4.x in KRaft mode on 127.0.0.1 for tests and local use: one node (broker +
# controller) by default, or a cluster of KAFKA_NODES such nodes (replication factor 3, min ISR 2).
#
# The jars come from Maven Central through deploy/kafka/pom.xml and are cached in .cache/kafka/, so only
# the first start needs Maven and the network. Every start formats fresh storage (new cluster id, new SCRAM
# credentials) unless KAFKA_KEEP_DATA=1. See deploy/kafka/README.md.
set -euo pipefail

usage() {
	cat <<EOF
usage: deploy/kafka/kafka.sh COMMAND [ARGS]

commands:
  start              resolve jars if needed, make TLS certs, format storage, start the node(s), wait until they answer
  stop               stop every node (SIGTERM, then SIGKILL after \$KAFKA_STOP_TIMEOUT s)
  status             say whether every node is running (exit 0) or not (exit 3)
  logs [-f] [N]      print the last N (default 100) lines of node \$KAFKA_NODE's broker log; -f follows it
  node-stop I        stop node I (SIGTERM, then SIGKILL), keeping its data
  node-kill I        SIGKILL node I, keeping its data
  node-start I       start node I again on its kept data and wait until it answers
  node-pause I       SIGSTOP node I: its connections stay open and nothing answers
  node-resume I      SIGCONT node I
  env                print the shell exports clients and tests need (eval "\$(deploy/kafka/kafka.sh env)")
  fetch              resolve the broker and tools jars into the cache, nothing else
  console-consumer   run org.apache.kafka.tools.consumer.ConsoleConsumer (--bootstrap-server added if absent)
  console-producer   run org.apache.kafka.tools.ConsoleProducer (--bootstrap-server added if absent)
  topics             run org.apache.kafka.tools.TopicCommand (--bootstrap-server added if absent)

environment (defaults):
  KAFKA_PORT=19092             PLAINTEXT listener (node I of a cluster: +10*(I-1), as are the two below)
  KAFKA_SASL_PORT=19093        SASL_SSL listener (SCRAM-SHA-256, SCRAM-SHA-512)
  KAFKA_CONTROLLER_PORT=19094  KRaft controller listener
  KAFKA_NODES=1                nodes; more than 1 makes a cluster: every node is a broker and a controller,
                               topics default to replication factor min(3, nodes) and min.insync.replicas 2
  KAFKA_NODE=1                 the node the logs command reads
  KAFKA_ADVERTISE_OFFSET=0     not 0: clients are sent to the PLAINTEXT port + this (a fault-injecting proxy
                               listens there), and brokers replicate through an INTERNAL listener on port + 3
  KAFKA_CACHE_DIR=<repo>/.cache/kafka   jars and TLS certificates
  KAFKA_STATE_DIR=\$KAFKA_CACHE_DIR     storage, logs, pid files, credentials: a second cluster needs its own
  KAFKA_HEAP=1g                broker -Xmx (512m each in a cluster)
  KAFKA_START_TIMEOUT=180      seconds to wait for the node to answer
  KAFKA_STOP_TIMEOUT=30        seconds to wait after SIGTERM before SIGKILL
  KAFKA_KEEP_DATA=0            1 keeps the formatted storage (and credentials) across starts
  KAFKA_SASL_USER=deid         SCRAM user created at format time (a super user when the authorizer is on)
  KAFKA_INSTANCE_DIR=          the same as KAFKA_STATE_DIR (the name the ACL test uses)
  KAFKA_AUTHORIZER=0           1 turns on KRaft's StandardAuthorizer: deny unless an ACL allows; super users are
                               User:ANONYMOUS (the PLAINTEXT and CONTROLLER listeners: keep them on 127.0.0.1)
                               and User:\$KAFKA_SASL_USER
  KAFKA_SCRAM_USERS=           more SCRAM users (space-separated), each with a random password written to
                               <state>/credentials as scram.NAME=PASSWORD
  MAVEN_ARGS=                  extra arguments for mvn (e.g. -o, -s settings.xml)
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${KAFKA_CACHE_DIR:-$root/.cache/kafka}
state=${KAFKA_STATE_DIR:-${KAFKA_INSTANCE_DIR:-$cache}}
authorizer=${KAFKA_AUTHORIZER:-0}
scram_users=${KAFKA_SCRAM_USERS:-}
scram_extra=() # --add-scram arguments of the KAFKA_SCRAM_USERS, set by start
base_plaintext_port=${KAFKA_PORT:-19092}
base_sasl_port=${KAFKA_SASL_PORT:-19093}
base_controller_port=${KAFKA_CONTROLLER_PORT:-19094}
nodes=${KAFKA_NODES:-1}
advertise_offset=${KAFKA_ADVERTISE_OFFSET:-0}
heap=${KAFKA_HEAP:-$([[ ${KAFKA_NODES:-1} == 1 ]] && echo 1g || echo 512m)}
start_timeout=${KAFKA_START_TIMEOUT:-180}
stop_timeout=${KAFKA_STOP_TIMEOUT:-30}
sasl_user=${KAFKA_SASL_USER:-deid}
[[ $nodes =~ ^[1-9][0-9]?$ ]] || { printf 'kafka.sh: KAFKA_NODES=%s: want a number from 1 to 99\n' "$nodes" >&2; exit 2; }

libs=$cache/libs
tools_libs=$cache/tools-libs
tls=$cache/tls
credentials=$state/credentials
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

# node I selects the node the functions below act on: its ports and directories. One node keeps the
# layout of a single broker (everything directly in the state directory); a cluster has node1/, node2/...
node() {
	node_id=$1
	local step=$((10 * (node_id - 1)))
	plaintext_port=$((base_plaintext_port + step))
	sasl_port=$((base_sasl_port + step))
	controller_port=$((base_controller_port + step))
	if ((nodes == 1)); then
		dir=$state
	else
		dir=$state/node$node_id
	fi
	data=$dir/data
	logs=$dir/logs
	pidfile=$dir/kafka.pid
}
node 1

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

# voters lists every node's controller: the static KRaft quorum.
voters() {
	local i out=""
	for ((i = 1; i <= nodes; i++)); do
		out+="${out:+,}$i@127.0.0.1:$((base_controller_port + 10 * (i - 1)))"
	done
	printf '%s' "$out"
}

render_config() {
	local pw replicas=$((nodes < 3 ? nodes : 3)) min_isr=$((nodes < 3 ? 1 : 2))
	local advertised=$plaintext_port internal="" inter=PLAINTEXT
	if ((advertise_offset != 0)); then
		advertised=$((plaintext_port + advertise_offset))
		internal=",INTERNAL://127.0.0.1:$((plaintext_port + 3))"
		inter=INTERNAL
	fi
	pw=$(<"$tls/keystore.password")
	mkdir -p "$dir"
	sed -e "s#@NODE_ID@#$node_id#g" -e "s#@VOTERS@#$(voters)#g" \
		-e "s#@ADVERTISED_PORT@#$advertised#g" -e "s#@INTERNAL_LISTENER@#$internal#g" -e "s#@INTER_BROKER_LISTENER@#$inter#g" \
		-e "s#@REPLICAS@#$replicas#g" -e "s#@MIN_ISR@#$min_isr#g" \
		-e "s#@PLAINTEXT_PORT@#$plaintext_port#g" -e "s#@SASL_PORT@#$sasl_port#g" \
		-e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@TLS_DIR@#$tls#g" \
		-e "s#@DATA_DIR@#$data#g" -e "s#@KEYSTORE_PASSWORD@#$pw#g" \
		"$here/server.properties.tmpl" >"$dir/server.properties"
	if [[ $authorizer == 1 ]]; then
		# The broker reaches its own controller and itself over the PLAINTEXT and CONTROLLER
		# listeners as User:ANONYMOUS, so that principal must be a super user.
		printf '%s\n' "" "# KAFKA_AUTHORIZER=1: deny unless an ACL allows." \
			"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
			"allow.everyone.if.no.acl.found=false" \
			"super.users=User:ANONYMOUS;User:$sasl_user" >>"$dir/server.properties"
	fi
	chmod 600 "$dir/server.properties"
}

# format wipes the current node's data directory and formats KRaft storage with cluster id $1 and
# SCRAM users with password $2 (every node of a cluster gets the same).
format() {
	local cluster_id=$1 password=$2
	rm -rf "$data"
	mkdir -p "$data"
	log "formatting KRaft storage of node $node_id (cluster id $cluster_id)"
	"$java" -Xmx256m -Dlog4j2.configurationFile="$here/tools-log4j2.properties" -cp "$libs/*" \
		kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
		--add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$password]" \
		--add-scram "SCRAM-SHA-512=[name=$sasl_user,password=$password]" "${scram_extra[@]}" >"$logs/format.log" 2>&1 || {
		cat "$logs/format.log" >&2
		die "formatting KRaft storage in $data failed"
	}
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

# addresses lists every node's address on the listener whose node-1 port is $1.
addresses() {
	local i out=""
	for ((i = 1; i <= nodes; i++)); do
		out+="${out:+,}127.0.0.1:$(($1 + 10 * (i - 1)))"
	done
	printf '%s' "$out"
}

print_env() {
	[[ -f $credentials ]] || die "no credentials in $state: start the broker first (deploy/kafka/kafka.sh start)"
	local user password
	user=$(sed -n 's/^user=//p' "$credentials")
	password=$(sed -n 's/^password=//p' "$credentials")
	cat <<EOF
export DEID_KAFKA_BROKERS=$(addresses "$base_plaintext_port")
export DEID_KAFKA_SASL_BROKERS=$(addresses "$base_sasl_port")
export DEID_KAFKA_SASL_USER=$user
export DEID_KAFKA_SASL_PASSWORD=$password
export DEID_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
export DEID_KAFKA_CA_FILE=$tls/ca.pem
EOF
}

# launched lists the nodes this invocation started: the ones fail_start stops.
launched=()

# fail_start reports why the current node did not come up, then stops every node this invocation
# launched (their pid files name them), and exits.
fail_start() {
	log "node $node_id: $1"
	if [[ -f $logs/server.log ]]; then
		log "last lines of $logs/server.log:"
		tail -n 30 "$logs/server.log" >&2
	fi
	if [[ -s $logs/stdout.log ]]; then
		log "last lines of $logs/stdout.log:"
		tail -n 15 "$logs/stdout.log" >&2
	fi
	local i
	for i in "${launched[@]}"; do
		node "$i"
		if [[ -f $pidfile ]]; then
			stop_pid "$(<"$pidfile")"
			rm -f "$pidfile"
		fi
	done
	exit 1
}

check_ports() {
	local p ports=("$plaintext_port" "$sasl_port" "$controller_port")
	((advertise_offset == 0)) || ports+=("$((plaintext_port + 3))")
	for p in "${ports[@]}"; do
		if port_busy "$p"; then
			die "port 127.0.0.1:$p (node $node_id) is already in use by another process; pick others with KAFKA_PORT, KAFKA_SASL_PORT, KAFKA_CONTROLLER_PORT"
		fi
	done
}

# launch starts the current node's broker in the background and records its pid.
launch() {
	mkdir -p "$logs"
	: >"$logs/server.log"
	log "starting node $node_id on 127.0.0.1:$plaintext_port (PLAINTEXT), :$sasl_port (SASL_SSL), :$controller_port (CONTROLLER)"
	# setsid: the broker outlives this shell and ignores the terminal's Ctrl-C; kafka.sh stop ends it.
	# 9>&-: the broker must not inherit the lock, or every later kafka.sh would wait for it.
	setsid "$java" -Xms256m -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$logs" \
		-cp "$libs/*" kafka.Kafka "$dir/server.properties" </dev/null >"$logs/stdout.log" 2>&1 9>&- &
	echo "$!" >"$pidfile"
	launched+=("$node_id")
}

# wait_ready waits until the current node finished starting, its plaintext port serves Kafka requests
# and its TLS port verifies.
wait_ready() {
	local pid deadline=$((SECONDS + start_timeout))
	pid=$(<"$pidfile")
	until grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null &&
		api_versions "$plaintext_port" && tls_ready; do
		# kill -0, not running(): until setsid execs java, the child's command line is still bash's.
		kill -0 "$pid" 2>/dev/null || fail_start "the broker exited during startup"
		((SECONDS < deadline)) || fail_start "the broker did not answer within ${start_timeout}s (KAFKA_START_TIMEOUT)"
		sleep 0.5
	done
}

start() {
	lock
	local i up=0 keep=0 cluster_id password
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		running && up=$((up + 1))
	done
	if ((up == nodes)); then
		log "already running; reusing it"
		print_env
		return 0
	fi
	((up == 0)) || die "$up of $nodes nodes in $state run: start the others with node-start, or stop them first"
	need "$java" "Kafka 4.x needs Java 17 or later"
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		check_ports
	done
	resolve broker "$libs"
	make_tls
	if [[ ${KAFKA_KEEP_DATA:-0} == 1 && -f $credentials ]]; then
		keep=1
		for ((i = 1; i <= nodes; i++)); do
			node "$i"
			[[ -f $data/meta.properties ]] || keep=0
		done
	fi
	if ((keep)); then
		log "keeping the formatted storage in $state"
	else
		# A Kafka cluster id is 16 random bytes in unpadded URL-safe base64; one starting with '-'
		# (1 in 64) would be read by StorageTool as an option, so draw again.
		cluster_id=-
		while [[ $cluster_id == -* ]]; do
			cluster_id=$(openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n')
		done
		password=$(openssl rand -hex 16)
		local u pw lines=()
		for u in $scram_users; do
			[[ $u =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SCRAM_USERS: user name \"$u\" must be letters, digits, '.', '_' or '-'"
			pw=$(openssl rand -hex 16)
			scram_extra+=(--add-scram "SCRAM-SHA-256=[name=$u,password=$pw]" --add-scram "SCRAM-SHA-512=[name=$u,password=$pw]")
			lines+=("scram.$u=$pw")
		done
		mkdir -p "$state"
		printf '%s\n' "user=$sasl_user" "password=$password" "${lines[@]}" >"$credentials"
		chmod 600 "$credentials"
	fi
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		mkdir -p "$logs"
		render_config
		((keep)) || format "$cluster_id" "$password"
	done
	# Every node before waiting for any: a cluster's controllers need their quorum to finish starting.
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		launch
	done
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		wait_ready
	done
	log "ready after ${SECONDS}s ($nodes node(s))"
	print_env
}

# stop_all sends SIGTERM to every running node at once (a cluster that loses its quorum one node at a
# time makes the last ones wait for it), then waits for each.
stop_all() {
	local i pids=()
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		if running; then
			pids+=("$(<"$pidfile")")
			kill -TERM "${pids[-1]}" 2>/dev/null || true
		fi
		rm -f "$pidfile"
	done
	if ((${#pids[@]} == 0)); then
		log "not running"
		return 0
	fi
	for pid in "${pids[@]}"; do
		stop_pid "$pid"
	done
	log "stopped (pids ${pids[*]})"
}

# stop_pid sends SIGTERM (the broker flushes and deregisters), then SIGKILL after $stop_timeout seconds.
stop_pid() {
	local pid=$1 deadline
	kill -CONT "$pid" 2>/dev/null || true # a paused node cannot stop
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
	stop_all
}

status() {
	local i up=0
	for ((i = 1; i <= nodes; i++)); do
		node "$i"
		if running; then
			up=$((up + 1))
			echo "node $node_id running (pid $(<"$pidfile"), PLAINTEXT 127.0.0.1:$plaintext_port, SASL_SSL 127.0.0.1:$sasl_port)"
		else
			echo "node $node_id not running"
		fi
	done
	((up == nodes)) || return 3
}

# node_cmd ACTION I acts on one node of the cluster, keeping its data.
node_cmd() {
	local action=$1 i=${2:-}
	[[ $i =~ ^[0-9]+$ ]] && ((i >= 1 && i <= nodes)) || die "node-$action: want a node number from 1 to $nodes (KAFKA_NODES)"
	lock
	node "$i"
	local pid=""
	running && pid=$(<"$pidfile")
	case $action in
	start)
		[[ -z $pid ]] || { log "node $i already running (pid $pid)"; return 0; }
		[[ -f $data/meta.properties ]] || die "node $i has no formatted storage in $data: run start first"
		check_ports
		launch
		# Wait without the lock: the other nodes of a cluster killed whole start meanwhile, and this
		# node is ready only once their controllers form the quorum.
		exec 9>&-
		wait_ready
		log "node $i ready (pid $(<"$pidfile"))"
		;;
	stop | kill)
		[[ -n $pid ]] || { log "node $i not running"; rm -f "$pidfile"; return 0; }
		if [[ $action == stop ]]; then
			stop_pid "$pid"
		else
			kill -KILL "$pid" 2>/dev/null || true
			while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
		fi
		rm -f "$pidfile"
		log "node $i: ${action/stop/stopp}ed (pid $pid)"
		;;
	pause | resume)
		[[ -n $pid ]] || die "node $i is not running"
		if [[ $action == pause ]]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
		log "node $i: ${action}d (pid $pid)"
		;;
	esac
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
	node "${KAFKA_NODE:-1}"
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
node-start | node-stop | node-kill | node-pause | node-resume) node_cmd "${cmd#node-}" "$@" ;;
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
