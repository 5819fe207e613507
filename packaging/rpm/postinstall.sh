# wssguard %post ($1: 1 fresh install, 2 upgrade). Not enabled or started on install (the Fedora/RHEL preset
# convention for network services); a running service is restarted on upgrade.
install -d -o wssguard -g wssguard -m 0750 /var/lib/wssguard /var/lib/wssguard/native
# Not writable by the service (the unit's root ExecStartPre makes the first certificate); 0770 from earlier versions
# is taken back.
if [ ! -d /etc/wssguard/certs ]; then
  install -d -o root -g wssguard -m 0750 /etc/wssguard/certs
elif [ "$(stat -c '%a %U %G' /etc/wssguard/certs)" = "770 root wssguard" ]; then
  chmod 0750 /etc/wssguard/certs
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || :
fi
if [ "$1" -eq 1 ]; then
  cat /usr/share/wssguard/first-install-message
elif [ -d /run/systemd/system ]; then
  systemctl try-restart wssguard.service || :
fi
exit 0
