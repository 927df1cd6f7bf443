package com.example.orders;

import dev.weft.jobs.JobType;
import dev.weft.spring.WeftApiCustomizer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.Map;

/**
 * A Spring Boot application with Weft: the "invoice" job type is a bean, so the starter registers it and lets
 * clients submit it with {@code POST /weft/api/jobs}; the dashboard is at http://localhost:8080/weft/.
 */
@SpringBootApplication
public class OrdersApplication {

    /** What a client sends to start an invoice run. */
    public record Invoice(String order, int lines) {
    }

    @Bean
    JobType<Invoice, String> invoice() {
        return JobType.of("invoice", Invoice.class, String.class, (ctx, inv) -> {
            ctx.progress().setTotal(inv.lines());
            for (int i = 0; i < inv.lines(); i++) {
                Thread.sleep(20); // a line's worth of work
                ctx.progress().advance();
            }
            return "invoiced " + inv.order();
        });
    }

    /** An application route next to Weft's, with Weft's JSON and errors: GET /weft/api/orders/open. */
    @Bean
    WeftApiCustomizer openOrders() {
        return api -> api.route("GET", "/api/orders/open", (req, res) -> res.json(200, Map.of("open", 3)));
    }

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
