import { useId } from "react";
import type { ControlProps } from "./field";

const TIME_ZONES = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/** A text field for an IANA time zone that suggests the browser's list as one types. */
export function TimeZoneInput(props: { control: ControlProps; name: string; defaultValue: string }) {
  const listId = useId();
  return (
    <>
      <input {...props.control} name={props.name} list={listId} defaultValue={props.defaultValue} />
      <datalist id={listId}>
        {TIME_ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
