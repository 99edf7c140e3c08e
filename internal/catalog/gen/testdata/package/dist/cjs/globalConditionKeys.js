"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.globalConditionKeys = void 0;
exports.globalConditionKeys = [
    {
        key: 'aws:SourceIp',
        category: 'network',
        type: 'IPAddress',
        description: ''
    },
    {
        key: 'aws:PrincipalTag/tag-key',
        category: 'principal',
        type: 'String',
        description: ''
    },
    {
        key: 'aws:TagKeys',
        category: 'request',
        type: 'ArrayOfString',
        description: ''
    },
    {
        key: 'aws:MultiFactorAuthPresent',
        category: 'session',
        type: 'Bool',
        description: ''
    }
];
function getAllGlobalConditionKeys() {
    return [];
}
