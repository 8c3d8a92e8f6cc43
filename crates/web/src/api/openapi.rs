use axum::Json;
use serde_json::{Value, json};

/// The OpenAPI 3.1 document of the JSON API. A test checks that every `/api/v1` route in the
/// route table is described here, and nothing else.
pub fn document() -> Value {
    let error = json!({
        "description": "Error",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Renkei API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "公民連携デスクのAPI。認証は `Authorization: Bearer rk_…`（`renkei token create` で発行）。"
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": { "type": "string", "examples": ["forbidden"] },
                            "message": { "type": "string", "description": "日本語のメッセージ" }
                        }
                    } }
                },
                "Department": {
                    "type": "object",
                    "required": ["id", "name", "member_count", "created_at"],
                    "properties": {
                        "id": { "type": "integer" },
                        "name": { "type": "string", "examples": ["危機管理課"] },
                        "member_count": { "type": "integer" },
                        "created_at": { "type": "string", "format": "date-time" }
                    }
                }
            }
        },
        "paths": {
            "/api/v1/tenants/{code}/departments": {
                "get": {
                    "summary": "部署の一覧 (departments of a local government)",
                    "security": [{ "bearer": [] }],
                    "parameters": [{
                        "name": "code", "in": "path", "required": true,
                        "description": "全国地方公共団体コード (JIS X 0402, 6 digits with check digit)",
                        "schema": { "type": "string", "pattern": "^[0-9]{6}$" }
                    }],
                    "responses": {
                        "200": {
                            "description": "The departments",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "required": ["tenant", "departments"],
                                "properties": {
                                    "tenant": { "type": "string" },
                                    "departments": { "type": "array", "items": { "$ref": "#/components/schemas/Department" } }
                                }
                            } } }
                        },
                        "401": error.clone(),
                        "403": error.clone(),
                        "404": error
                    }
                }
            }
        }
    })
}

pub async fn get() -> Json<Value> {
    Json(document())
}
