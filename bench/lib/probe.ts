/**
 * Preloaded (`node -r`) into a child worker by the scale benchmark: answers a `memory` message on the
 * IPC channel with the process's own heap figures, which /proc cannot show. It changes nothing else
 * and does not keep the process alive.
 */
if (process.send) {
  process.on('message', (message) => {
    if (message === 'memory') process.send?.({ memory: process.memoryUsage() });
  });
  process.channel?.unref();
}
