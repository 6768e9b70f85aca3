package org.fleetrec.web;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One value to sweep for, with the STIX object it came from when it came from one. */
record Indicator(IndicatorType type, String value, @JsonProperty("stix_id") String stixId, String name) {
}
