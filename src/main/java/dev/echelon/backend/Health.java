package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /health} 200 answer: {@code {"status":"ok"}}. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Health(@JsonProperty("status") String status) {

    @JsonIgnore
    public boolean ok() {
        return "ok".equalsIgnoreCase(status);
    }
}
