# blux2/hello-server 1.6 and 1.8 as a native image: busybox httpd serving the files next to this
# script (www/: `/` greets, /health and /healthz answer OK, /metrics is static Prometheus text).
# Listens on the pod's IP and $PORT (default 8080), in the foreground, two log lines per request (url, response)
# on stderr. Arguments (a pod's `args`, e.g. --flag) are ignored, as the Go program ignores
# flags it does not define. exec: httpd is the container's main process, so SIGTERM ends it.
here=${0%/*}
exec /usr/bin/busybox httpd -f -vv -p "${KUBELAB_POD_IP:-127.0.0.1}:${PORT:-8080}" -h "$here/www" -c "$here/httpd.conf"
