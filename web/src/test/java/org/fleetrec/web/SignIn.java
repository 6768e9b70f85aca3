package org.fleetrec.web;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Signs in over HTTP as a browser would: fetch the form (its token and cookie), then post it. */
public final class SignIn {
    private static final Pattern FORM_TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");
    private static final Pattern META_TOKEN = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]*)\">");

    private SignIn() {
    }

    /** The answer to the sign-in form; a 302 with the session cookie when it worked. */
    public static HttpResponse<String> post(HttpClient http, URI base, String user, String password) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(base.resolve("/login")).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = cookie(form, "fleetrec_login");
        Matcher token = FORM_TOKEN.matcher(form.body());
        if (!token.find()) throw new AssertionError("the sign-in form has no token: " + form.body());
        return http.send(HttpRequest.newBuilder(base.resolve("/login")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + enc(token.group(1)) + "&username=" + enc(user)
                        + "&password=" + enc(password))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The session cookie ({@code name=value}) of a successful sign-in. */
    public static String session(HttpClient http, URI base, String user, String password) throws Exception {
        HttpResponse<String> answer = post(http, base, user, password);
        if (answer.statusCode() != 302) throw new AssertionError("sign-in failed: " + answer.statusCode() + " " + answer.body());
        return cookie(answer, "fleetrec_session");
    }

    /** The form token a page of this session carries. */
    public static String pageToken(HttpClient http, URI base, String session) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/")).header("Cookie", session).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = META_TOKEN.matcher(page.body());
        if (!token.find()) throw new AssertionError("the page carries no form token: " + page.statusCode());
        return token.group(1);
    }

    public static String cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + response.headers().map()));
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
