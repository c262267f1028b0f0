/**
 * Several servers of one chat (the hosts of a multi-host chat): each connection attempt goes to
 * the next one in turn. A client whose host dies thus lands on a live host at its next attempt,
 * registers its own nick again (freed by then) and fills its gap from the shared history.
 */
import type { Connector } from './transport.js';

export function rotatingConnector(connectors: readonly Connector[]): Connector {
  const first = connectors[0];
  if (first === undefined) throw new RangeError('at least one server is needed');
  if (connectors.length === 1) return first;
  let current = first;
  let next = 0;
  return {
    get address() {
      return current.address;
    },
    connect(sink, limits) {
      current = connectors[next % connectors.length] ?? first;
      next++;
      return current.connect(sink, limits);
    },
  };
}
