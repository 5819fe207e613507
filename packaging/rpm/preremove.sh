# wssguard %preun ($1: 0 erase, 1 upgrade): stop and disable only when the package goes away.
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null; then
  if [ -d /run/systemd/system ]; then
    systemctl stop wssguard-firewall.path wssguard-firewall.service wssguard.service || :
  fi
  systemctl --no-reload disable wssguard.service wssguard-firewall.path >/dev/null 2>&1 || :
fi
exit 0
