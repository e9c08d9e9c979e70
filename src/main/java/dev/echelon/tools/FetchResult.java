package dev.echelon.tools;

/**
 * What one fetch gave back, as text a model can read.
 *
 * @param finalUrl the URL after any redirects were followed
 * @param status the HTTP status of the last response; non-2xx is returned, not thrown, so the model sees a 404
 * @param title the HTML title, or empty for non-HTML content
 * @param text readable text: HTML reduced to lines, plain text and JSON as sent
 * @param truncated true when the body was longer than the policy's maxBytes and reading stopped there
 * @param bytes body bytes read, at most maxBytes
 */
public record FetchResult(
        String finalUrl, int status, String contentType, String title, String text, boolean truncated, long bytes) {

    public FetchResult {
        if (finalUrl == null || contentType == null || title == null || text == null) {
            throw new NullPointerException("finalUrl, contentType, title and text are required");
        }
    }
}
