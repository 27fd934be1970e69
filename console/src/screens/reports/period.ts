/** Dates in the organization's time zone, `to` exclusive (the API's reading of a date). */
export interface Period {
  from: string;
  to: string;
}
