// Keeps 5 MiB more every LEAK_INTERVAL_MS, as hello-server 1.7 keeps memory per request (the OOMKilled test).
const kept = [];
setInterval(() => {
  kept.push(Buffer.alloc(5 * 1024 * 1024, 1));
  console.log(`kept ${kept.length * 5} MiB`);
}, Number(process.env.LEAK_INTERVAL_MS || 20));
