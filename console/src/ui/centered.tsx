import type { ReactNode } from "react";

/** The frame of the screens outside the console's navigation: signing in, invitations, consent. */
export function Centered({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="centered">
      <p className="brand">Voltasis</p>
      {children}
    </main>
  );
}
