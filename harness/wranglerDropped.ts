/**
 * wrangler dev's proxy answers a non-GET request with 503 "Your worker restarted
 * mid-request" when the request meets one of its pooled connections to the
 * Worker just as that connection ends after 5 s idle (cloudflare/workers-sdk#14641:
 * the Worker did not restart). GETs it retries itself; the answer asks the client
 * to send anything else again. kubectl does (a 503 with Retry-After); the test
 * clients that talk to wrangler dev do with this.
 */
export function wranglerDropped(status: number, body: string): boolean {
  return status === 503 && body.startsWith('Your worker restarted mid-request');
}

/** Sends again while wrangler dev dropped the request (a few times: a real fault still shows). */
export async function sendAgainIfDropped<T extends { status: number }>(send: () => Promise<T>, body: (answer: T) => string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send();
    if (attempt >= 3 || !wranglerDropped(answer.status, body(answer))) return answer;
  }
}
