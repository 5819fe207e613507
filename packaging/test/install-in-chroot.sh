#!/usr/bin/env bash
# Installs target/wssguard_<version>_all.deb into a minimal Debian bookworm root with apt (so the Java runtime comes
# in as a real dependency), runs the service's own command lines as the wssguard user, completes a wss echo through
# the packaged config (pointed by a test override at the demo backend and a high port), reloads a policy with SIGHUP,
# stops it with SIGTERM, then purges and checks that nothing is left. Run as root, after
# `mvn -B package -Ppackages`:
#
#     packaging/test/install-in-chroot.sh
#
# The debootstrapped root is cached in $WSSGUARD_TEST_ROOT_CACHE (default /var/cache/wssguard-test-root) with the
# downloaded .debs, so later runs need no download but the apt lists. Each run works on a fresh copy. The proxy and
# the client run in a private network namespace: only its loopback exists there. Needs debootstrap, python3, ip.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$(date +%s)

cache=${WSSGUARD_TEST_ROOT_CACHE:-/var/cache/wssguard-test-root}
mirror=${WSSGUARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
deb=target/wssguard_${version//-/\~}_all.deb
[ -s "$deb" ] || { echo "no $deb: run mvn -B package -Ppackages first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, chroot, mount)" >&2; exit 1; }

step() { printf '\n== %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ ! -x "$cache/bookworm/usr/bin/apt-get" ]; then
  step "debootstrap bookworm (minbase) into $cache/bookworm"
  mkdir -p "$cache"
  rm -rf "$cache/bookworm.tmp"
  debootstrap --variant=minbase bookworm "$cache/bookworm.tmp" "$mirror"
  mv "$cache/bookworm.tmp" "$cache/bookworm"
fi
mkdir -p "$cache/archives/partial"

work=$(mktemp -d /var/tmp/wssguard-install-test.XXXXXX)
root=$work/root
mounts=()
cleanup() {
  set +e
  [ -n "${proxy_pid:-}" ] && kill "$proxy_pid" 2>/dev/null
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}"; done
  rm -rf "$work"
}
trap cleanup EXIT
mnt() { mount "$@"; mounts+=("${@: -1}"); }

step "fresh copy of the cached root in $root"
cp -a "$cache/bookworm" "$root"
# The root must be a mount point, as / is on a real host: the JDK looks files up in /proc/self/mounts (the dev
# certificate writer asks for its file store) and finds nothing for a plain directory under a chroot.
mnt --bind "$root" "$root"
mnt -t proc proc "$root/proc"
mnt --bind /dev "$root/dev"
mnt --bind /dev/pts "$root/dev/pts"
mnt -t sysfs -o ro sysfs "$root/sys"
mnt --bind "$cache/archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf 'deb %s bookworm main\n' "$mirror" > "$root/etc/apt/sources.list"
# No init system in a chroot: tell invoke-rc.d/deb-systemd-invoke not to start anything.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/wssguard.deb"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

step "apt-get install ./wssguard.deb (Depends resolved from $mirror)"
in_root apt-get -qq update
in_root apt-get install -y -q --no-install-recommends /tmp/wssguard.deb | tee "$work/install.log"
grep -q 'wssguard is installed but NOT started' "$work/install.log" || fail "no post-install message"
echo "installed: $(in_root dpkg-query -W -f '${Package} ${Version} ${Status}' wssguard)"
echo "java: $(in_root java -version 2>&1 | head -1)"

step "what the package set up"
in_root getent passwd wssguard | tee "$work/passwd"
IFS=: read -r _ _ uid gid _ home shell < "$work/passwd"
[ "$home" = /var/lib/wssguard ] || fail "home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "shell is $shell"
[ "$uid" -lt 1000 ] || fail "uid $uid is not a system uid"
expect_stat() { # expect_stat "MODE OWNER GROUP" PATH
  local got
  got=$(in_root stat -c '%a %U %G' "$2")
  [ "$got" = "$1" ] || fail "$2 is '$got', expected '$1'"
  echo "ok  $2: $got"
}
expect_stat "750 wssguard wssguard" /var/lib/wssguard
expect_stat "750 wssguard wssguard" /var/lib/wssguard/native
expect_stat "750 root wssguard" /etc/wssguard/certs
expect_stat "644 root root" /etc/wssguard/wssguard.yaml
expect_stat "755 root root" /usr/bin/wssguard
cmp policies/default.yaml "$root/etc/wssguard/policies/default.yaml" || fail "policies/default.yaml differs"

step "wssguard check on the packaged config, as installed (what ExecStartPre runs)"
# Nothing generated yet: the certificate (certs ensure, first start) and the admin token (run) are only noted.
in_root wssguard check --config /etc/wssguard/wssguard.yaml > "$work/check.log" 2>&1 \
  || { cat "$work/check.log"; fail "wssguard check refuses the packaged config"; }
cat "$work/check.log"
grep -q '^/etc/wssguard/wssguard.yaml: OK (' "$work/check.log" || fail "no OK line from wssguard check"
grep -q 'server.pem: note: not there yet; run will generate' "$work/check.log" || fail "no note on the certificate"
grep -q 'admin.token: note: admin token not there yet' "$work/check.log" || fail "no note on the admin token"
[ ! -e "$root/var/lib/wssguard/admin.token" ] && [ ! -e "$root/etc/wssguard/certs/server.pem" ] \
  || fail "wssguard check wrote a file"

step "man pages, completion, dashboard and alert rules"
man_pages=$(cd target/cli-docs/man1 && ls -- *.1.gz)
for page in $man_pages; do
  [ "$(in_root stat -c '%a %U %G' "/usr/share/man/man1/$page")" = "644 root root" ] || fail "man page $page"
  in_root zcat "/usr/share/man/man1/$page" | grep -q '^\.SH NAME' || fail "$page is not a man page"
done
echo "ok  $(wc -w <<<"$man_pages") man pages in /usr/share/man/man1, one per command"
for page in wssguard wssguard-run wssguard-check wssguard-certs-ensure wssguard-firewall-apply; do
  grep -qx "$page.1.gz" <<<"$man_pages" || fail "no man page for $page (the units run it)"
done
for f in /usr/share/bash-completion/completions/wssguard /usr/share/zsh/vendor-completions/_wssguard \
    /usr/share/wssguard/grafana/wssguard-dashboard.json /usr/share/wssguard/prometheus/wssguard-alerts.yaml \
    /usr/share/wssguard/policy.schema.json; do
  expect_stat "644 root root" "$f"
done
# The root's own bash completes a subcommand with the installed script.
in_root bash -c 'source /usr/share/bash-completion/completions/wssguard; COMP_WORDS=(wssguard ch); COMP_CWORD=1
  COMP_LINE="wssguard ch"; COMP_POINT=11; _complete_wssguard; test "${COMPREPLY[*]}" = check' \
  || fail "the bash completion does not complete 'wssguard ch' to check"
echo "ok  bash completes 'wssguard ch' to 'check'"
head -1 "$root/usr/share/zsh/vendor-completions/_wssguard" | grep -q '^#compdef wssguard' \
  || fail "the zsh completion does not start with #compdef wssguard"
python3 -m json.tool "$root/usr/share/wssguard/grafana/wssguard-dashboard.json" >/dev/null \
  || fail "the dashboard is not valid JSON"
cmp packaging/grafana/wssguard-dashboard.json "$root/usr/share/wssguard/grafana/wssguard-dashboard.json" \
  || fail "the dashboard differs from the repository's"
cmp packaging/prometheus/wssguard-alerts.yaml "$root/usr/share/wssguard/prometheus/wssguard-alerts.yaml" \
  || fail "the alert rules differ from the repository's"
echo "ok  dashboard (valid JSON) and alert rules ($(grep -c '^ *- alert:' "$root/usr/share/wssguard/prometheus/wssguard-alerts.yaml") alerts) as committed"

step "ipset and iptables, for the firewall unit's command (not dependencies of the package)"
in_root apt-get install -y -q --no-install-recommends ipset iptables > "$work/firewall-tools.log" \
  || { cat "$work/firewall-tools.log"; fail "cannot install ipset and iptables"; }

step "test override: the packaged config on 127.0.0.1:18443 in front of the demo backend on 127.0.0.1:9000"
sed -e 's/^    bind: 0\.0\.0\.0:443 .*/    bind: 127.0.0.1:18443/' -e 's/^demoBackend: off$/demoBackend:\n  bind: 127.0.0.1:9000/' \
  "$root/etc/wssguard/wssguard.yaml" > "$root/etc/wssguard/wssguard-test.yaml"
diff "$root/etc/wssguard/wssguard.yaml" "$root/etc/wssguard/wssguard-test.yaml" || true
grep -q '127.0.0.1:18443' "$root/etc/wssguard/wssguard-test.yaml" || fail "override did not apply"

# The service's command lines (wssguard.service) as the wssguard user, in a network namespace of their own.
cat > "$work/in-netns.sh" <<SCRIPT
set -euo pipefail
ip link set lo up
as_wssguard() {
  chroot --userspec=$uid:$gid --groups=$gid "$root" \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/wssguard LANG=C.UTF-8 "\$@"
}
echo "-- ExecStartPre=+: wssguard certs ensure --config /etc/wssguard/wssguard-test.yaml --key-group wssguard (root)"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  /usr/bin/wssguard certs ensure --config /etc/wssguard/wssguard-test.yaml --key-group wssguard | tee "$work/certs.log"
grep -q 'generated a self-signed development certificate' "$work/certs.log" \
  || { echo "FAIL: certs ensure did not say it generated the development certificate"; exit 1; }
echo "-- ExecStartPre: wssguard check --config /etc/wssguard/wssguard-test.yaml (as wssguard, noexec /tmp)"
as_wssguard /usr/bin/wssguard check --config /etc/wssguard/wssguard-test.yaml
echo "-- ExecStart: wssguard run --config /etc/wssguard/wssguard-test.yaml"
(umask 0027; exec chroot --userspec=$uid:$gid --groups=$gid "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/var/lib/wssguard LANG=C.UTF-8 /usr/bin/wssguard run --config /etc/wssguard/wssguard-test.yaml) \
  > "$work/proxy.log" 2>&1 &
pid=\$!
echo \$pid > "$work/proxy.pid"
for i in \$(seq 1 120); do
  grep -q ' started' "$work/proxy.log" && break
  kill -0 \$pid 2>/dev/null || { cat "$work/proxy.log"; echo "FAIL: the proxy exited"; exit 1; }
  sleep 0.5
done
grep -q ' started' "$work/proxy.log" || { cat "$work/proxy.log"; echo "FAIL: no start banner in 60s"; exit 1; }
cat "$work/proxy.log"
grep -q 'TLS BoringSSL' "$work/proxy.log" \
  || { echo "FAIL: BoringSSL did not load with a noexec /tmp (io.netty.native.workdir?)"; exit 1; }
echo "-- wss echo"
python3 "$repo/packaging/test/wss-echo.py" 127.0.0.1 18443 "$root/etc/wssguard/certs/server.pem"
echo "-- wssguard ban add (root, through the running proxy's admin API): journalled, rendered for the firewall unit"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /usr/bin/wssguard ban add 203.0.113.7 \
  --for 15m --reason "install test" --config /etc/wssguard/wssguard-test.yaml
for i in \$(seq 1 40); do grep -q '203.0.113.7' "$root/var/lib/wssguard/firewall.rules" 2>/dev/null && break; sleep 0.25; done
grep -q '203.0.113.7' "$root/var/lib/wssguard/bans.journal" || { echo "FAIL: the ban is not in the journal"; exit 1; }
grep -q 'add wssguard-ban4-next 203.0.113.7 ' "$root/var/lib/wssguard/firewall.rules" \
  || { echo "FAIL: the ban is not in the rendered rules"; exit 1; }
echo "-- wssguard-firewall.service's command: firewall apply --config (root, group wssguard)"
chroot --userspec=0:$gid "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  /usr/bin/wssguard firewall apply --config /etc/wssguard/wssguard-test.yaml
chroot "$root" ipset list wssguard-ban4 | grep -q '^203.0.113.7 ' || { echo "FAIL: 203.0.113.7 not in the kernel set"; exit 1; }
chroot "$root" iptables -S INPUT | grep -q -- '--dports 18443 -j WSSGUARD-BAN' \
  || { echo "FAIL: the listener's port 18443 is not the protected one"; exit 1; }
echo "ok  203.0.113.7 in the kernel's wssguard-ban4, matched on the listener's port 18443"
echo "-- reload after editing /etc/wssguard/policies/default.yaml"
sed -i 's/messages: {rate: 100\/s, burst: 200,/messages: {rate: 50\/s, burst: 100,/' "$root/etc/wssguard/policies/default.yaml"
grep -q 'rate: 50/s, burst: 100' "$root/etc/wssguard/policies/default.yaml" || { echo "FAIL: policy edit"; exit 1; }
if [ -e "$root/usr/share/man/man1/wssguard-reload.1.gz" ]; then  # a man page per command: the jar has it
  echo "   ExecReload: wssguard reload --config /etc/wssguard/wssguard-test.yaml (as wssguard)"
  as_wssguard /usr/bin/wssguard reload --config /etc/wssguard/wssguard-test.yaml
  echo "   a bad edit: wssguard reload exits 1 (so systemctl reload fails) and the running configuration stays"
  cp "$root/etc/wssguard/policies/default.yaml" "$work/default.yaml.good"
  sed -i 's/messages: {rate: 50\/s,/messages: {rate: -5\/s,/' "$root/etc/wssguard/policies/default.yaml"
  rc=0
  as_wssguard /usr/bin/wssguard reload --config /etc/wssguard/wssguard-test.yaml || rc=\$?
  [ \$rc -eq 1 ] || { echo "FAIL: wssguard reload exited \$rc on a bad policy file, expected 1"; exit 1; }
  cp "$work/default.yaml.good" "$root/etc/wssguard/policies/default.yaml"
else
  echo "   (this jar has no 'wssguard reload' yet: SIGHUP)"
  sleep 1
  kill -HUP \$pid
fi
for i in \$(seq 1 40); do grep -q 'reload (.*) applied' "$work/proxy.log" && break; sleep 0.25; done
grep 'reload (' "$work/proxy.log" || true
grep -q 'reload (.*) applied' "$work/proxy.log" || { echo "FAIL: no 'reload (...) applied'"; exit 1; }
python3 "$repo/packaging/test/wss-echo.py" 127.0.0.1 18443 "$root/etc/wssguard/certs/server.pem"
echo "-- SIGTERM: drain, then exit 0"
kill -TERM \$pid
rc=0
wait \$pid || rc=\$?
tail -2 "$work/proxy.log"
[ \$rc -eq 0 ] || { echo "FAIL: exit \$rc after SIGTERM"; exit 1; }
echo "proxy exited 0"
SCRIPT
step "run the service's commands as wssguard in a private network namespace"
# Like the unit's PrivateTmp on a host whose /tmp is noexec: BoringSSL loads only if the launcher's
# -Dio.netty.native.workdir=/var/lib/wssguard/native is in effect (netty deletes the unpacked file after loading).
mnt -t tmpfs -o noexec,nosuid,nodev tmpfs "$root/tmp"
unshare --net bash "$work/in-netns.sh"
expect_stat "644 root root" /etc/wssguard/certs/server.pem
expect_stat "640 root wssguard" /etc/wssguard/certs/server-key.pem
expect_stat "600 wssguard wssguard" /var/lib/wssguard/admin.token
# The firewall unit (root without CAP_DAC_OVERRIDE, group wssguard) reads these through the group.
expect_stat "640 wssguard wssguard" /var/lib/wssguard/bans.journal
expect_stat "640 wssguard wssguard" /var/lib/wssguard/firewall.rules

step "dpkg -P wssguard"
in_root dpkg -P wssguard
if in_root getent passwd wssguard >/dev/null; then fail "user wssguard left behind"; fi
if in_root getent group wssguard >/dev/null; then fail "group wssguard left behind"; fi
for p in /var/lib/wssguard /etc/wssguard /usr/share/wssguard /usr/bin/wssguard /etc/default/wssguard \
    /lib/systemd/system/wssguard.service; do
  [ ! -e "$root$p" ] || fail "$p left behind"
done
echo "ok  purged: no wssguard user or group, no /etc/wssguard, /var/lib/wssguard, /usr/share/wssguard"

step "install test passed"
