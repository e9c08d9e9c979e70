package dev.echelon.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live dashboard: {@code GET /} serves one self-contained page (inline SVG and script, nothing from a CDN, so it
 * works offline) that holds no data itself; the page polls {@code GET /admin/dashboard.json}, which sits behind the
 * same key check as every {@code /admin} route, with the key the user typed in.
 */
@ApplicationScoped
public class DashboardRoutes {

    private static final Logger LOG = Logger.getLogger(DashboardRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PAGE_RESOURCE = "dashboard/index.html";

    private final DashboardData data;
    private final String page;

    public DashboardRoutes(DashboardData data) {
        this.data = data;
        this.page = load(PAGE_RESOURCE);
    }

    void register(@Observes Router web) {
        web.get("/").handler(this::page);
        web.get("/admin/dashboard.json").handler(this::json);
    }

    private void page(RoutingContext rc) {
        rc.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                // the page talks only to this server and runs only its own inline script and styles
                .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; img-src 'self' data:")
                .end(page);
    }

    private void json(RoutingContext rc) {
        String body;
        try {
            body = JSON.writeValueAsString(data.snapshot());
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "dashboard data failed");
            rc.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end("{\"error\":{\"message\":\"The dashboard data could not be assembled; see the server log.\","
                            + "\"type\":\"server_error\"}}");
            return;
        }
        rc.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body);
    }

    private static String load(String resource) {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
