import type { Agent } from 'node:https';

/**
 * A kept-alive socket the server closed while idle fails at once (ECONNRESET) before the
 * server read the request; Node's documented remedy is to send the request again. The agent
 * may hand out another socket that went idle at the same moment, so the request goes up to
 * one more time than the pool holds sockets (each stale one is destroyed as it fails) until a
 * fresh socket comes. Returns the last answer, stale or not.
 */
export async function resendOnStaleSocket<T>(agent: Agent, send: () => Promise<T>, stale: (answer: T) => boolean): Promise<T> {
  const tries = agent.maxSockets === Infinity ? 64 : agent.maxSockets + 1;
  let answer = await send();
  for (let tried = 1; stale(answer) && tried < tries; tried++) answer = await send();
  return answer;
}

/** Whether a request failed on a kept-alive socket the server had closed. */
export const failedOnStaleSocket = (req: { reusedSocket: boolean }, err: NodeJS.ErrnoException) => req.reusedSocket && err.code === 'ECONNRESET';
