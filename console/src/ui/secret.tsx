import { useId, useState } from "react";

/** A secret the API shows once (an API key, a signing secret, an invitation link), with a copy button. */
export function SecretOnce(props: { title: string; secret: string; copyLabel: string; onDone: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard?.writeText(props.secret).catch(() => undefined);
    setCopied(true);
  };
  return (
    <section className="secret" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <p>Copy it now: it will not be shown again.</p>
      <div className="secret-row">
        <label className="visually-hidden" htmlFor={id}>
          {props.title}
        </label>
        <input
          id={id}
          readOnly
          value={props.secret}
          className="mono"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          {props.copyLabel}
        </button>
      </div>
      <p role="status" className="hint">
        {copied ? "Copied to the clipboard." : ""}
      </p>
      <button type="button" className="secondary" onClick={props.onDone}>
        Done
      </button>
    </section>
  );
}
