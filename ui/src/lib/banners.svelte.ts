// The messages shown in the banner at the top of the window.
//
// Errors and notes the user has to read (import notes, the welcome) stay until dismissed; a
// confirmation of something the user just did ("Chart exported as PNG.") is transient: it
// goes by itself after NOTICE_MS, so that it does not follow the user into other views.

export interface BannerMessage {
  id: number;
  kind: "error" | "info";
  text: string;
  /** Goes by itself after NOTICE_MS (confirmations); otherwise it stays until dismissed. */
  transient: boolean;
}

/** How long a transient confirmation stays. */
export const NOTICE_MS = 6_000;

export class Banners {
  messages: BannerMessage[] = $state([]);
  #nextId = 1;

  /** Shows a message, once: the same message again (a backend that keeps failing) is not repeated. */
  show(kind: BannerMessage["kind"], text: string, transient = false) {
    if (this.messages.some((m) => m.kind === kind && m.text === text)) return;
    const message: BannerMessage = { id: this.#nextId++, kind, text, transient };
    this.messages = [...this.messages, message];
    if (transient) setTimeout(() => this.dismiss(message.id), NOTICE_MS);
  }

  dismiss(id: number) {
    this.messages = this.messages.filter((m) => m.id !== id);
  }
}
