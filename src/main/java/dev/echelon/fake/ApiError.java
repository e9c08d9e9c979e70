package dev.echelon.fake;

/** An error answered the way llama-server answers it: {@code {"error":{"code","message","type"}}}. */
final class ApiError extends RuntimeException {

    final int code;
    final String type;
    final Integer promptTokens;
    final Integer nCtx;

    ApiError(int code, String type, String message) {
        this(code, type, message, null, null);
    }

    ApiError(int code, String type, String message, Integer promptTokens, Integer nCtx) {
        super(message, null, false, false);
        this.code = code;
        this.type = type;
        this.promptTokens = promptTokens;
        this.nCtx = nCtx;
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "invalid_request_error", message);
    }

    static ApiError notSupported(String message) {
        return new ApiError(501, "not_supported_error", message);
    }
}
