# wssguard %postun ($1: 0 erase, 1 upgrade). RPM has no purge: edited config files are kept as *.rpmsave, and the
# wssguard user, /var/lib/wssguard and /etc/wssguard/certs stay (the Fedora rule for users: never reuse a UID that
# may still own files). Remove them by hand, see /usr/share/doc/wssguard/README.md.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || :
fi
exit 0
