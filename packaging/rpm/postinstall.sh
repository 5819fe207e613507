# wssguard %post ($1: 1 fresh install, 2 upgrade). Not enabled or started on install (the Fedora/RHEL preset
# convention for network services); a running service is restarted on upgrade.
install -d -o wssguard -g wssguard -m 0750 /var/lib/wssguard /var/lib/wssguard/native
[ -d /etc/wssguard/certs ] || install -d -o root -g wssguard -m 0770 /etc/wssguard/certs
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || :
fi
if [ "$1" -eq 1 ]; then
  cat /usr/share/wssguard/first-install-message
elif [ -d /run/systemd/system ]; then
  systemctl try-restart wssguard.service || :
fi
exit 0
