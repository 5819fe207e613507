#!/usr/bin/env bash
# Inspects the packages that `mvn -B package -Ppackages` wrote into target/: file lists, owners and modes,
# conffiles, maintainer scripts, dependencies, lintian on the .deb, systemd-analyze on the units, the generated man
# pages and completion, and the alert rules (promtool, when installed). Prints each check; exits non-zero if any
# failed. Needs dpkg-deb, lintian, rpm and systemd-analyze (.ci/run installs them); man and promtool are optional.
set -uo pipefail
cd "$(dirname "$0")/../.."

failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
deb_version=${version//-/\~}
rpm_version=${version%%-*}
if [[ $version == *-* ]]; then rpm_release=0.1.${version#*-}; else rpm_release=1; fi
deb=target/wssguard_${deb_version}_all.deb
rpm=target/wssguard-${rpm_version}-${rpm_release}.noarch.rpm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== packages for version $version"
check "$deb exists" test -s "$deb"
check "$rpm exists" test -s "$rpm"
[ -s "$deb" ] && [ -s "$rpm" ] || { echo "packages missing: run mvn -B package -Ppackages"; exit 1; }

# Same layout in both packages; the units' directory differs (Debian 12 still wants /lib/systemd/system).
# Generated at build time (target/cli-docs): one page per command, so the list comes from the build, and the
# package must hold exactly those.
man_pages=$(cd target/cli-docs/man1 2>/dev/null && ls -- *.1.gz)
expected_files() { # expected_files UNITDIR DEFAULTFILE ZSHDIR -> "mode owner group path" lines
  for page in $man_pages; do echo "-rw-r--r-- root root /usr/share/man/man1/$page"; done
  for doc in docs/*.md; do echo "-rw-r--r-- root root /usr/share/doc/wssguard/${doc#docs/}"; done
  cat <<LIST
-rw-r--r-- root root /usr/share/wssguard/wssguard.jar
-rw-r--r-- root root /usr/share/wssguard/first-install-message
-rw-r--r-- root root /usr/share/wssguard/sysctl-wssguard.conf
-rw-r--r-- root root /usr/share/wssguard/iptables/rules.v4
-rw-r--r-- root root /usr/share/wssguard/iptables/rules.v6
-rw-r--r-- root root /usr/share/wssguard/policy.schema.json
-rw-r--r-- root root /usr/share/wssguard/grafana/wssguard-dashboard.json
-rw-r--r-- root root /usr/share/wssguard/prometheus/wssguard-alerts.yaml
-rw-r--r-- root root /usr/share/bash-completion/completions/wssguard
-rw-r--r-- root root $3/_wssguard
-rwxr-xr-x root root /usr/bin/wssguard
-rw-r--r-- root root $2
-rw-r--r-- root root /etc/wssguard/wssguard.yaml
-rw-r--r-- root root /etc/wssguard/policies/default.yaml
-rw-r--r-- root root $1/wssguard.service
-rw-r--r-- root root $1/wssguard-firewall.path
-rw-r--r-- root root $1/wssguard-firewall.service
-rw-r--r-- root root /usr/share/doc/wssguard/README.md
-rw-r--r-- root root /usr/share/doc/wssguard/IPTABLES.md
-rw-r--r-- root root /usr/share/doc/wssguard/PACKAGING.md
LIST
}

echo
echo "== .deb: $deb"
dpkg-deb --field "$deb" > "$work/control"
field() { sed -n "s/^$1: //p" "$work/control"; }
check "Package: wssguard" test "$(field Package)" = wssguard
check "Version: $deb_version" test "$(field Version)" = "$deb_version"
check "Architecture: all" test "$(field Architecture)" = all
depends=$(field Depends)
echo "      Depends: $depends"
for dep in 'default-jre-headless (>= 2:1.17)' 'openjdk-17-jre-headless' 'java17-runtime-headless' 'adduser'; do
  check "Depends names $dep" grep -qF -- "$dep" <<<"$depends"
done
check "the Java alternatives are one OR group" \
  grep -qF 'default-jre-headless (>= 2:1.17) | openjdk-17-jre-headless | java17-runtime-headless' <<<"$depends"

dpkg-deb --contents "$deb" | awk '{ split($2, o, "/"); p = substr($6, 2); print $1, o[1], o[2], p }' \
  | grep -v '/$' | sed 's:/$::' > "$work/deb-files"
{ expected_files /lib/systemd/system /etc/default/wssguard /usr/share/zsh/vendor-completions
  echo "-rw-r--r-- root root /usr/share/doc/wssguard/copyright"
  echo "-rw-r--r-- root root /usr/share/doc/wssguard/changelog.gz"; } | sort > "$work/deb-expected"
grep -v '^d' "$work/deb-files" | sort > "$work/deb-actual"
if diff -u "$work/deb-expected" "$work/deb-actual"; then
  pass "file list, owners and modes ($(wc -l < "$work/deb-actual") files)"
else
  fail "file list, owners and modes (diff above: - expected, + in the package)"
fi
check "no file is group- or world-writable" bash -c "! awk '\$1 ~ /^-....w|^-.......w/' '$work/deb-files' | grep -q ."

dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work" --one-top-level=ctrl
printf '/etc/default/wssguard\n/etc/wssguard/wssguard.yaml\n/etc/wssguard/policies/default.yaml\n' | sort > "$work/conf-expected"
sort "$work/ctrl/conffiles" > "$work/conf-actual"
check "conffiles: /etc/default/wssguard, wssguard.yaml, policies/default.yaml" diff "$work/conf-expected" "$work/conf-actual"
for s in postinst prerm postrm; do
  check "$s is executable" test -x "$work/ctrl/$s"
  check "$s parses (sh -n)" sh -n "$work/ctrl/$s"
done
postinst_joined=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$work/ctrl/postinst")  # join continued lines
check "postinst creates the system user without a shell, home /var/lib/wssguard" \
  grep -qE 'adduser --system .*--home /var/lib/wssguard .*--shell /usr/sbin/nologin' <<<"$postinst_joined"
check "postinst makes /var/lib/wssguard wssguard-owned 0750" \
  grep -qF 'install -d -o wssguard -g wssguard -m 0750 /var/lib/wssguard' "$work/ctrl/postinst"
check "postinst makes /etc/wssguard/certs root:wssguard 0750 (not writable by the service)" \
  grep -qF 'install -d -o root -g wssguard -m 0750 /etc/wssguard/certs' "$work/ctrl/postinst"
check "postinst takes back group write on a certificate directory of an earlier version" \
  grep -qF 'chmod 0750 /etc/wssguard/certs' "$work/ctrl/postinst"
check "postinst never makes a group-writable certificate directory" \
  bash -c "! grep -qE 'certs.*-m 0?77|-m 0?77.*certs' '$work/ctrl/postinst'"
check "postinst reloads systemd" grep -qF 'daemon-reload' "$work/ctrl/postinst"
check "postinst does not enable or start the service on a fresh install" \
  bash -c "! grep -qE '(systemctl|deb-systemd-invoke) (start|enable|restart)' '$work/ctrl/postinst'"
check "prerm stops the service on remove" grep -qE 'deb-systemd-invoke stop .*wssguard.service' "$work/ctrl/prerm"
check "postrm purge removes the user, /var/lib/wssguard and /etc/wssguard" \
  bash -c "grep -qF 'rm -rf /var/lib/wssguard /etc/wssguard' '$work/ctrl/postrm' && grep -qF 'deluser --quiet --system wssguard' '$work/ctrl/postrm'"

dpkg-deb -x "$deb" "$work/root"
check "the jar is the one the build made" cmp target/wssguard.jar "$work/root/usr/share/wssguard/wssguard.jar"
check "policies/default.yaml is the repository's" cmp policies/default.yaml "$work/root/etc/wssguard/policies/default.yaml"
for platform in linux_x86_64 linux_aarch_64; do
  check "the jar carries BoringSSL for $platform" \
    bash -c "jar tf target/wssguard.jar | grep -qxF META-INF/native/libnetty_tcnative_$platform.so"
done
check "the sysctl file is installed as an example, not under /etc/sysctl.d" \
  bash -c "test -f '$work/root/usr/share/wssguard/sysctl-wssguard.conf' && test ! -e '$work/root/etc/sysctl.d'"
check "launcher: exec java \$WSSGUARD_JAVA_OPTS -jar /usr/share/wssguard/wssguard.jar" \
  grep -qF '$WSSGUARD_JAVA_OPTS -jar /usr/share/wssguard/wssguard.jar "$@"' "$work/root/usr/bin/wssguard"
check "launcher parses (sh -n)" sh -n "$work/root/usr/bin/wssguard"
check "defaults set a fixed heap, the collector the benchmarks measure and the netty native workdir" \
  grep -qE '^WSSGUARD_JAVA_OPTS=".*-Xms([0-9]+[mg]) -Xmx\1 .*-XX:\+UseSerialGC .*-Dio.netty.native.workdir=/var/lib/wssguard/native' \
  "$work/root/etc/default/wssguard"

echo "-- lintian"
lintian --allow-root --fail-on error,warning "$deb" > "$work/lintian" 2>&1
lint_rc=$?
sed 's/^/      /' "$work/lintian"
if [ $lint_rc -eq 0 ]; then
  pass "lintian: no errors, no warnings"
else
  fail "lintian exit $lint_rc"
fi

echo
echo "== .rpm: $rpm"
check "rpm -qp --queryformat: name, version, release, noarch" \
  test "$(rpm -qp --qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH}' "$rpm" 2>/dev/null)" = \
  "wssguard $rpm_version $rpm_release noarch"
echo "-- rpm -qp --requires"
rpm -qp --requires "$rpm" 2>/dev/null | sed 's/^/      /'
check "requires a Java 17+ headless runtime" \
  bash -c "rpm -qp --requires '$rpm' 2>/dev/null | grep -qxF '(java-17-openjdk-headless or jre-headless >= 17)'"
check "requires useradd for %pre" bash -c "rpm -qp --requires '$rpm' 2>/dev/null | grep -qxF /usr/sbin/useradd"
echo "-- rpm -qpl"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' "$rpm" 2>/dev/null > "$work/rpm-files"
sed 's/^/      /' "$work/rpm-files"
expected_files /usr/lib/systemd/system /etc/sysconfig/wssguard /usr/share/zsh/site-functions | sort > "$work/rpm-expected"
grep -v '^d' "$work/rpm-files" | sort > "$work/rpm-actual"
if diff -u "$work/rpm-expected" "$work/rpm-actual"; then
  pass "file list, owners and modes ($(wc -l < "$work/rpm-actual") files)"
else
  fail "file list, owners and modes (diff above: - expected, + in the package)"
fi
for d in /etc/wssguard /etc/wssguard/policies /usr/share/wssguard /usr/share/wssguard/iptables \
    /usr/share/wssguard/grafana /usr/share/wssguard/prometheus /usr/share/doc/wssguard; do
  check "owns directory $d" grep -qxF "drwxr-xr-x root root $d" "$work/rpm-files"
done
check "does not own shared directories" bash -c "! grep -qE ' (/usr/bin|/etc/sysconfig|/usr/lib/systemd/system|/usr/share/man/man1|/usr/share/bash-completion/completions|/usr/share/zsh/site-functions)$' '$work/rpm-files'"
rpm -qp --qf '[%{FILEFLAGS:fflags}|%{FILENAMES}\n]' "$rpm" 2>/dev/null | awk -F'|' '$1 ~ /c/ && $1 ~ /n/ { print $2 }' \
  | sort > "$work/rpm-conf"
printf '/etc/sysconfig/wssguard\n/etc/wssguard/policies/default.yaml\n/etc/wssguard/wssguard.yaml\n' > "$work/rpm-conf-expected"
check "%config(noreplace): /etc/sysconfig/wssguard, wssguard.yaml, policies/default.yaml" \
  diff "$work/rpm-conf-expected" "$work/rpm-conf"
echo "-- rpm -qp --scripts"
rpm -qp --scripts "$rpm" 2>/dev/null > "$work/rpm-scripts"
sed 's/^/      /' "$work/rpm-scripts"
check "%pre creates a system user without a shell, home /var/lib/wssguard" \
  grep -qE 'useradd -r -g wssguard -d /var/lib/wssguard -M -s /sbin/nologin' "$work/rpm-scripts"
check "%post makes /var/lib/wssguard wssguard-owned 0750" \
  grep -qF 'install -d -o wssguard -g wssguard -m 0750 /var/lib/wssguard' "$work/rpm-scripts"
check "%post makes /etc/wssguard/certs root:wssguard 0750 and takes back 0770" \
  bash -c "grep -qF 'install -d -o root -g wssguard -m 0750 /etc/wssguard/certs' '$work/rpm-scripts' && grep -qF 'chmod 0750 /etc/wssguard/certs' '$work/rpm-scripts'"
check "%post does not enable or start the service" bash -c "! grep -qE 'systemctl (start|enable|restart)' '$work/rpm-scripts'"
check "%preun stops the service on erase" grep -qE 'systemctl stop .*wssguard.service' "$work/rpm-scripts"
mkdir -p "$work/rpmroot"
(cd "$work/rpmroot" && rpm2cpio "$OLDPWD/$rpm" | cpio -idm --quiet)
check "rpm: the jar is the one the build made" cmp target/wssguard.jar "$work/rpmroot/usr/share/wssguard/wssguard.jar"
check "rpm: policies/default.yaml is the repository's" cmp policies/default.yaml "$work/rpmroot/etc/wssguard/policies/default.yaml"

echo
echo "== man pages, completion, dashboard and alert rules"
check "a man page per command was generated (wssguard.1.gz and $(wc -w <<<"$man_pages") in all)" \
  grep -qw wssguard.1.gz <<<"$man_pages"
for f in usr/share/bash-completion/completions/wssguard usr/share/wssguard/grafana/wssguard-dashboard.json \
    usr/share/wssguard/prometheus/wssguard-alerts.yaml usr/share/wssguard/policy.schema.json; do
  check "rpm and deb ship the same /$f" cmp "$work/root/$f" "$work/rpmroot/$f"
done
check "rpm and deb ship the same zsh completion" \
  cmp "$work/root/usr/share/zsh/vendor-completions/_wssguard" "$work/rpmroot/usr/share/zsh/site-functions/_wssguard"
check "bash completion completes the subcommands" bash -c \
  "source '$work/root/usr/share/bash-completion/completions/wssguard'; COMP_WORDS=(wssguard pol); COMP_CWORD=1;
   COMP_LINE='wssguard pol'; COMP_POINT=12; _complete_wssguard; test \"\${COMPREPLY[*]}\" = policy"
check "the dashboard is valid JSON" python3 -m json.tool "$work/root/usr/share/wssguard/grafana/wssguard-dashboard.json"
if command -v man >/dev/null; then
  for page in wssguard wssguard-run; do
    rendered=$(MANWIDTH=80 man --warnings=all -l "$work/root/usr/share/man/man1/$page.1.gz" 2>&1)
    check "man -l renders $page(1) without warnings" \
      bash -c "grep -q '^NAME' <<<\"\$1\" && ! grep -qi warning <<<\"\$1\"" _ "$rendered"
  done
else
  echo "      (man is not installed: the pages are not rendered)"
fi
if command -v promtool >/dev/null; then
  check "promtool check rules: the packaged alert rules" \
    promtool check rules "$work/root/usr/share/wssguard/prometheus/wssguard-alerts.yaml"
  check "promtool test rules packaging/test/wssguard-alerts-test.yaml" \
    promtool test rules packaging/test/wssguard-alerts-test.yaml
else
  echo "      (promtool is not installed: apt-get install --no-install-recommends prometheus)"
fi

echo
echo "== systemd units"
# verify checks the unit files and that ExecStart's program exists and is executable: point it at the packaged
# launcher (the host has no /usr/bin/wssguard).
mkdir -p "$work/units"
for u in wssguard.service wssguard-firewall.service wssguard-firewall.path; do
  sed "s:/usr/bin/wssguard:$work/root/usr/bin/wssguard:g" "$work/root/lib/systemd/system/$u" > "$work/units/$u"
  check "rpm and deb ship the same $u" cmp "$work/root/lib/systemd/system/$u" "$work/rpmroot/usr/lib/systemd/system/$u"
done
if (cd "$work/units" && systemd-analyze verify ./wssguard.service ./wssguard-firewall.service ./wssguard-firewall.path) \
    > "$work/verify" 2>&1 && ! grep -q . "$work/verify"; then
  pass "systemd-analyze verify: wssguard.service, wssguard-firewall.service, wssguard-firewall.path"
else
  sed 's/^/      /' "$work/verify"
  fail "systemd-analyze verify"
fi
unit=$work/root/lib/systemd/system/wssguard.service
for directive in 'User=wssguard' 'Group=wssguard' \
    'ExecStartPre=/usr/bin/wssguard check --config /etc/wssguard/wssguard.yaml' \
    'ExecStart=/usr/bin/wssguard run --config /etc/wssguard/wssguard.yaml' \
    'ExecReload=/usr/bin/wssguard reload --config /etc/wssguard/wssguard.yaml' \
    'Restart=on-abnormal' 'RestartForceExitStatus=1 3' 'RestartPreventExitStatus=2' \
    'StartLimitIntervalSec=120' 'StartLimitBurst=10' \
    'KillSignal=SIGTERM' 'LimitNOFILE=1048576' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
    'ExecStartPre=+/usr/bin/wssguard certs ensure --config /etc/wssguard/wssguard.yaml --key-group wssguard' \
    'ReadWritePaths=/var/lib/wssguard' 'ReadOnlyPaths=/etc/wssguard' 'StateDirectory=wssguard' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'SystemCallFilter=@system-service' 'SystemCallArchitectures=native' 'UMask=0027'; do
  check "wssguard.service: $directive" grep -qxF -- "$directive" "$unit"
done
check "wssguard.service: the proxy may write nothing under /etc/wssguard (certificates included)" \
  bash -c "! grep -qE '^ReadWritePaths=.*/etc/wssguard' '$unit'"
check "wssguard.service: the root ExecStartPre only generates missing certificates (runs before the proxy)" \
  bash -c "grep -n '^ExecStartPre=+' '$unit' | grep -q 'certs ensure' && ! grep -q '^ExecStart=+' '$unit'"
check "wssguard.service: certs ensure runs before check (check must find the certificate the proxy will serve)" \
  bash -c "grep '^ExecStartPre=' '$unit' | sed -n '1{/certs ensure/!q1};2{/ check /!q1};3q1'"
check "wssguard.service: no SIGHUP reload (systemctl reload must wait for the answer and fail on a refused file)" \
  bash -c "! grep -q 'kill -HUP' '$unit'"
check "wssguard.service: no MemoryDenyWriteExecute (the JIT needs W+X)" bash -c "! grep -q '^MemoryDenyWriteExecute' '$unit'"
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
drain=$(sed -n 's/^  drain: \([0-9]*\)s.*/\1/p' "$work/root/etc/wssguard/wssguard.yaml")
check "TimeoutStopSec (${stop}s) is above the packaged drain time (${drain}s)" test "${stop:-0}" -gt "${drain:-999}"
fw_unit=$work/root/lib/systemd/system/wssguard-firewall.service
check "wssguard-firewall.service: only CAP_NET_ADMIN" grep -qxF 'CapabilityBoundingSet=CAP_NET_ADMIN' "$fw_unit"
check "wssguard-firewall.service: journal, backend and ports from the proxy's config, nowhere else" \
  bash -c "grep -qxF 'ExecStart=/usr/bin/wssguard firewall apply --config /etc/wssguard/wssguard.yaml' '$fw_unit' \
    && ! grep -qE -- '--port|--backend|--journal|WSSGUARD_FIREWALL_ARGS|^Environment' '$fw_unit'"
packaged_config=$work/root/etc/wssguard/wssguard.yaml
watched=$(sed -n 's/^PathChanged=//p' "$work/root/lib/systemd/system/wssguard-firewall.path")
check "wssguard-firewall.path watches the packaged config's bans.firewall.rulesFile ($watched)" \
  grep -qE "^    rulesFile: $watched( |\$)" "$packaged_config"
check "the packaged config journals bans under /var/lib/wssguard" \
  grep -qE '^  journal: /var/lib/wssguard/bans.journal( |$)' "$packaged_config"
check "the protected ports are the listeners' only: no bans.firewall.ports in the config, no port in /etc/default" \
  bash -c "! grep -qE '^    ports:' '$packaged_config' && ! grep -qE -- '--port|443' '$work/root/etc/default/wssguard'"
echo "-- systemd-analyze security --offline=yes (exposure: 0 best .. 10 worst)"
for u in wssguard.service wssguard-firewall.service; do
  score=$(systemd-analyze security --offline=yes --root="$work/root" "/lib/systemd/system/$u" 2>/dev/null \
    | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
  echo "      $u: ${score:-unknown}"
  if [ "$u" = wssguard.service ]; then
    check "wssguard.service exposure ${score:-?} is at most 2.0" \
      awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
  fi
done

echo
if [ "$failures" -eq 0 ]; then
  echo "inspect-packages: all checks passed"
else
  echo "inspect-packages: $failures check(s) FAILED"
  exit 1
fi
