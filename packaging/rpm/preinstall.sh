# wssguard %pre: the system user before the files that name it are unpacked.
getent group wssguard >/dev/null || groupadd -r wssguard
getent passwd wssguard >/dev/null || \
  useradd -r -g wssguard -d /var/lib/wssguard -M -s /sbin/nologin -c "wssguard proxy" wssguard
exit 0
