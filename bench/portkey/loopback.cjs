// Preloaded by bench/run.sh (node --require): Portkey's start-server listens on every interface;
// the benchmark keeps it on 127.0.0.1.
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    const [port, ...rest] = args;
    return listen.call(this, port, '127.0.0.1', ...rest.filter((a) => typeof a === 'function'));
  }
  if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    return listen.call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
