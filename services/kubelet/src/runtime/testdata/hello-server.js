// A small HTTP server, as the hello-server image: idle most of the time (the 10Mi-limit test).
const http = require('node:http');
const host = process.env.KUBELAB_POD_IP || '127.0.0.1';
const server = http.createServer((req, res) => res.end('Hello, world!\n'));
server.listen(Number(process.env.PORT || 0), host, () => console.log(`listening on ${host}:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
