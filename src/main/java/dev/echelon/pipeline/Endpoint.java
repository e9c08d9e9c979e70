package dev.echelon.pipeline;

/** The generating endpoints of the OpenAI API, with the llama-server path each one is relayed to. */
public enum Endpoint {
    CHAT("/v1/chat/completions"),
    COMPLETIONS("/v1/completions");

    private final String backendPath;

    Endpoint(String backendPath) {
        this.backendPath = backendPath;
    }

    public String backendPath() {
        return backendPath;
    }
}
