import { type ReactNode, useEffect, useRef } from "react";

/**
 * A screen with its heading. The heading takes the focus when the screen opens, so a keyboard or
 * screen-reader user changing screens starts at its top, as after a page load.
 */
export function Page(props: { title: string; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Voltasis`;
    heading.current?.focus();
  }, [props.title]);
  return (
    <>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions}
      </div>
      {props.children}
    </>
  );
}
