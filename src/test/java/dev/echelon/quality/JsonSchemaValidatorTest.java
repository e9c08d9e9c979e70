package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.echelon.quality.Samples.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonSchemaValidatorTest {

    private static List<String> errors(String schema, String value) {
        return JsonSchemaValidator.validate(json(schema), json(value));
    }

    @Test
    void primitiveTypes() {
        assertTrue(errors("{\"type\":\"string\"}", "\"x\"").isEmpty());
        assertFalse(errors("{\"type\":\"string\"}", "1").isEmpty());
        assertTrue(errors("{\"type\":\"number\"}", "1.5").isEmpty());
        assertTrue(errors("{\"type\":\"number\"}", "3").isEmpty());
        assertTrue(errors("{\"type\":\"integer\"}", "3").isEmpty());
        assertTrue(errors("{\"type\":\"integer\"}", "3.0").isEmpty());
        assertFalse(errors("{\"type\":\"integer\"}", "3.5").isEmpty());
        assertFalse(errors("{\"type\":\"integer\"}", "\"3\"").isEmpty());
        assertTrue(errors("{\"type\":\"boolean\"}", "false").isEmpty());
        assertFalse(errors("{\"type\":\"boolean\"}", "\"false\"").isEmpty());
        assertTrue(errors("{\"type\":\"null\"}", "null").isEmpty());
        assertTrue(errors("{\"type\":[\"string\",\"null\"]}", "null").isEmpty());
        assertFalse(errors("{\"type\":[\"string\",\"null\"]}", "{}").isEmpty());
        assertTrue(errors("{\"type\":\"string\",\"nullable\":true}", "null").isEmpty());
    }

    @Test
    void objectsRequiredAndNested() {
        String schema = """
                {"type":"object","required":["name","address"],
                 "properties":{"name":{"type":"string"},
                   "address":{"type":"object","required":["city"],
                     "properties":{"city":{"type":"string"},"zip":{"type":"integer"}}}}}""";
        assertTrue(errors(schema, "{\"name\":\"A\",\"address\":{\"city\":\"B\",\"zip\":1234},\"extra\":1}").isEmpty());
        List<String> e = errors(schema, "{\"name\":\"A\",\"address\":{\"zip\":\"x\"}}");
        assertEquals(2, e.size(), e::toString);
        assertTrue(e.get(0).startsWith("/address: missing required property \"city\""), e::toString);
        assertTrue(e.get(1).startsWith("/address/zip: expected integer"), e::toString);
        assertEquals(List.of("/: missing required property \"address\""), errors(schema, "{\"name\":\"A\"}"));
        assertEquals(1, errors(schema, "[]").size());
    }

    @Test
    void additionalProperties() {
        String closed = "{\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":false}";
        assertTrue(errors(closed, "{\"a\":1}").isEmpty());
        assertEquals(List.of("/b: property not allowed"), errors(closed, "{\"a\":1,\"b\":2}"));
        String typed = "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}";
        assertTrue(errors(typed, "{\"x\":1,\"y\":2}").isEmpty());
        assertFalse(errors(typed, "{\"x\":\"1\"}").isEmpty());
    }

    @Test
    void arraysAndItems() {
        String schema = "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\"]}}";
        assertTrue(errors(schema, "[{\"id\":1},{\"id\":2}]").isEmpty());
        List<String> e = errors(schema, "[{\"id\":1},{},{\"id\":3},5]");
        assertEquals(2, e.size());
        assertTrue(e.get(0).startsWith("/1:"), e::toString);
        assertTrue(e.get(1).startsWith("/3: expected object"), e::toString);
    }

    @Test
    void enumAndConst() {
        String schema = "{\"enum\":[\"red\",\"green\",1,null]}";
        assertTrue(errors(schema, "\"red\"").isEmpty());
        assertTrue(errors(schema, "1.0").isEmpty());
        assertTrue(errors(schema, "null").isEmpty());
        assertFalse(errors(schema, "\"blue\"").isEmpty());
        assertTrue(errors("{\"const\":{\"a\":[1,2]}}", "{\"a\":[1,2]}").isEmpty());
        assertFalse(errors("{\"const\":{\"a\":[1,2]}}", "{\"a\":[2,1]}").isEmpty());
    }

    @Test
    void combinators() {
        String any = "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}";
        assertTrue(errors(any, "\"x\"").isEmpty());
        assertTrue(errors(any, "2").isEmpty());
        assertFalse(errors(any, "true").isEmpty());
        String all = "{\"allOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
        assertEquals(1, errors(all, "{\"a\":1}").size());
    }

    @Test
    void unknownKeywordsAreIgnored() {
        String schema = """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "properties":{"email":{"type":"string","format":"email","minLength":100,"pattern":"^x$"},
                   "ref":{"$ref":"#/definitions/thing"}},
                 "definitions":{"thing":{"type":"integer"}},"x-vendor":true}""";
        assertTrue(errors(schema, "{\"email\":\"a@b\",\"ref\":\"anything\"}").isEmpty());
        // a schema that is not an object (true, or absent) accepts everything
        assertTrue(JsonSchemaValidator.isValid(json("true"), json("[1]")));
    }

    @Test
    void errorsAreCapped() {
        StringBuilder req = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            req.append(i == 0 ? "" : ",").append("\"p").append(i).append('"');
        }
        JsonNode schema = json("{\"required\":[" + req + "]}");
        assertEquals(JsonSchemaValidator.MAX_ERRORS, JsonSchemaValidator.validate(schema, json("{}")).size());
    }
}
